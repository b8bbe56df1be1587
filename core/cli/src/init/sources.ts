/**
 * Where the projects that `medrl init` and `medrl init plugin` write get medrl's own packages: from
 * the npm registry once they are published there; until then, from the copies this medrl runs with
 * (the installed tarballs, or this repository's folders), so that the first command printed after
 * `init` works on any machine that has this medrl.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
// npm is npm.cmd on Windows, which only a shell can start.
const shell = process.platform === 'win32';

/** Folder of the copy of package `name` that this medrl resolves, and its version. */
export function installedPackage(name: string): { dir: string; version: string } {
  const manifest = require.resolve(`${name}/package.json`);
  return { dir: path.dirname(manifest), version: (require(manifest) as { version: string }).version };
}

/** Whether `name` resolves from `dir`, as an import in a config file there would. */
export function resolvesFrom(dir: string, name: string): boolean {
  const from = createRequire(path.join(dir, 'noop.js'));
  for (const request of [name, `${name}/package.json`]) {
    try {
      from.resolve(request);
      return true;
    } catch {
      // an exports map may hide one of the two
    }
  }
  return false;
}

/**
 * Whether the registry npm is configured with has `name@range` (`npm view`). False on a 404, offline
 * or after a short timeout: then the local copy is the way that works.
 */
export async function onRegistry(name: string, range: string): Promise<boolean> {
  try {
    const { stdout } = await run(
      'npm',
      ['view', `${name}@${range}`, 'version', '--json', '--fetch-retries=0', '--fetch-timeout=15000'],
      { timeout: 30_000, shell },
    );
    return stdout.trim() !== '';
  } catch {
    return false;
  }
}

/**
 * `npm pack`s the folder of an installed package into `destination` (created, and removed again if
 * packing fails); returns the tarball's file name.
 */
export async function packInto(packageDir: string, destination: string): Promise<string> {
  await mkdir(destination, { recursive: true });
  try {
    const { stdout } = await run('npm', ['pack', packageDir, '--json', '--pack-destination', destination], {
      cwd: destination,
      timeout: 120_000,
      shell,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const file = packed?.filename ?? '';
    if (!existsSync(path.join(destination, file))) throw new Error(`npm pack printed no tarball name:\n${stdout}`);
    return file;
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw new Error(`could not pack ${packageDir} into ${destination}: ${(error as Error).message}`, { cause: error });
  }
}

/** How to refer to the `medrl` bin in printed commands: through npx when `dir` has it installed. */
export function medrlCommand(dir: string): string {
  return existsSync(path.join(dir, 'node_modules', '.bin', 'medrl')) ? 'npx medrl' : 'medrl';
}

/**
 * The command that installs `names` into the project at `dir` as devDependencies: registry versions
 * matching this medrl's when @medrl/sdk is published, else links to the copies this medrl runs with
 * (npm links a folder outside the project instead of copying it). Starts with `npm init -y` when `dir`
 * has no package.json, since npm would otherwise install into the nearest parent that has one.
 */
export async function installCommand(dir: string, names: string[]): Promise<{ command: string; registry: boolean }> {
  const sdk = installedPackage('@medrl/sdk');
  const registry = await onRegistry('@medrl/sdk', `^${sdk.version}`);
  const specs = names.map((name) => {
    let installed;
    try {
      installed = installedPackage(name);
    } catch {
      return name; // not among this medrl's packages: the registry's
    }
    return registry ? `${name}@^${installed.version}` : quote(installed.dir);
  });
  const init = existsSync(path.join(dir, 'package.json')) ? '' : 'npm init -y && ';
  return { command: `${init}npm i -D ${specs.join(' ')}`, registry };
}

/** A path as one shell word. */
export function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
