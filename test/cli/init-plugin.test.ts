import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageNameFor } from '../../core/cli/src/init/scaffold.js';
import { runMedrl } from '../helpers/cli.js';
import { repoRoot, tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);

describe('plugin names follow the discovery convention', () => {
  it.each([
    ['triage', 'medrl-plugin-triage'],
    ['medrl-plugin-triage', 'medrl-plugin-triage'],
    ['@acme/medrl-plugin-triage', '@acme/medrl-plugin-triage'],
  ])('%s -> %s', (name, expected) => expect(packageNameFor(name)).toBe(expected));

  it.each(['Triage', '@acme/triage', 'bad name', ''])('rejects %j', (name) => {
    expect(() => packageNameFor(name)).toThrow(/invalid plugin name/);
  });
});

describe('medrl init plugin', () => {
  // The reward plugin takes @medrl/sdk from the registry (as once published), the judge plugin from
  // a tarball in vendor/ (as today); the consumer test (test/consumer) runs the real `npm install`.
  it.each([
    ['reward', 'registry'],
    ['judge', 'vendor'],
  ])(
    'scaffolds a %s plugin (sdk: %s) that builds and passes its own tests',
    async (kind, sdk) => {
      const parent = tempDir('medrl-init-');
      const args = ['init', 'plugin', `demo-${kind}`, '--kind', kind, '--dir', parent, '--sdk', sdk];
      const result = runMedrl([...args, '--json']);
      expect(result.status, result.stderr).toBe(0);
      const { dir, packageName, files, sdkSpec } = JSON.parse(result.stdout);
      expect(packageName).toBe(`medrl-plugin-demo-${kind}`);
      expect(dir).toBe(path.join(parent, packageName));
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.keywords).toContain('medrl-plugin');
      expect(pkg.peerDependencies['@medrl/sdk']).toBe('^0.1.0');
      expect(pkg.devDependencies['@medrl/sdk']).toBe(sdkSpec);
      if (sdk === 'vendor') {
        expect(sdkSpec).toBe('file:vendor/medrl-sdk-0.1.0.tgz');
        expect(files).toContain('vendor/medrl-sdk-0.1.0.tgz');
        expect(statSync(path.join(dir, 'vendor/medrl-sdk-0.1.0.tgz')).size).toBeGreaterThan(1000);
        expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(
          /was not on the npm registry when this plugin was made: `npm install` takes it from\s+`vendor\/medrl-sdk-0\.1\.0\.tgz`/,
        );
        // Git must keep the vendored tarball, or a fresh clone of the plugin cannot install.
        expect(readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n')).toContain('/*.tgz');
      } else {
        expect(sdkSpec).toBe('^0.1.0');
        expect(existsSync(path.join(dir, 'vendor'))).toBe(false);
      }
      const human = runMedrl(['init', 'plugin', `other-${kind}`, '--kind', kind, '--dir', parent, '--sdk', sdk]);
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout).toContain(
        `next: cd ${path.join(parent, `medrl-plugin-other-${kind}`)} && npm install && npm run build && npm test`,
      );
      expect(human.stdout.includes('is vendored (--sdk vendor)')).toBe(sdk === 'vendor');

      // Stand in for `npm install`: this checkout has every devDependency the scaffold lists.
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
      // Asynchronous on purpose: a worker blocked for over a minute misses vitest's own messages.
      await run('npm', ['run', 'build', '--silent'], { cwd: dir });
      const { stdout: tests } = await run('npm', ['test', '--silent'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      expect(tests).toMatch(/Tests\s+\d+ passed/);
      expect(tests).not.toMatch(/failed/);

      const again = runMedrl(args);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/exists and is not empty/);
    },
    120_000,
  );
});

describe('medrl init (project config)', () => {
  it.each(['json', 'yaml', 'ts'])(
    'writes a %s config that resolves to the seed reward',
    (format) => {
      const dir = tempDir('medrl-init-project-');
      // A TypeScript config imports the packages, as in a project that installed medrl.
      if (format === 'ts') symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
      const init = runMedrl(['init', '--format', format, '--dir', dir, '--json']);
      expect(init.status, init.stderr).toBe(0);
      const written = JSON.parse(init.stdout);
      expect(written.file).toBe(path.join(dir, `medrl.config.${format}`));
      // Everything the config needs resolves: no install first, only the check.
      expect(written.install).toBeUndefined();
      expect(written.check).toMatch(/^cd \S+ && (npx )?medrl config --check$/);
      const config = runMedrl(['config', '--json'], { cwd: dir });
      expect(config.status, config.stderr).toBe(0);
      const view = JSON.parse(config.stdout);
      expect(view.configFile).toBe(path.join(dir, `medrl.config.${format}`));
      expect(view.reward.components.map((c: { use: string; weight: number }) => [c.use, c.weight])).toEqual([
        ['rules/format', 0.1],
        ['rules/length', 0.1],
        ['rules/keyword', 0.1],
        ['rules/safety', 0.3],
        ['judge', 0.4],
      ]);
      const plugins = runMedrl(['plugins', '--json'], { cwd: dir });
      expect(JSON.parse(plugins.stdout).plugins).toHaveLength(4);
      const again = runMedrl(['init', '--dir', dir]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/already exists/);
    },
    60_000,
  );
});

describe('medrl init in a folder that has none of medrl installed', () => {
  it('prints first the install of what the TypeScript config imports; after it, the printed check passes', async () => {
    const dir = tempDir('medrl-init-bare-');
    const init = runMedrl(['init'], { cwd: dir });
    expect(init.status, init.stderr).toBe(0);
    const lines = init.stdout.trim().split('\n');
    expect(lines[0]).toBe(`wrote ${path.join(dir, 'medrl.config.ts')}`);
    expect(lines[1]).toBe('it imports packages this project does not have yet; install them first:');
    const install = lines[2]!.trim();
    // No package.json yet: npm would install into a parent folder that has one.
    expect(install).toMatch(/^npm init -y && npm i -D /);
    const specs = install.replace(/^npm init -y && npm i -D /, '').split(' ');
    // What medrl.config.ts imports (the package names come from the written file itself).
    const names = [
      ...readFileSync(path.join(dir, 'medrl.config.ts'), 'utf8').matchAll(/from '(@medrl\/[a-z-]+)'/g),
    ].map((m) => m[1]!);
    expect(names).toContain('@medrl/sdk');
    expect(specs).toHaveLength(names.length);
    // Registry versions once published; until then links to the copies this medrl runs with.
    for (const spec of specs) expect(spec).toMatch(/^@medrl\/[a-z-]+@\^0\.1\.0$|^\//);
    expect(lines[3]).toBe('then check it with: medrl config --check');

    const before = runMedrl(['config', '--check'], { cwd: dir });
    expect(before.status).toBe(1);
    expect(before.stderr).toMatch(/Cannot find (module|package) '@medrl\/sdk'/);
    if (specs[0]!.startsWith('/')) {
      // A user's shell: none of the npm_* variables that `npm test` sets.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      await run('sh', ['-c', install], {
        cwd: dir,
        env: { ...env, npm_config_audit: 'false', npm_config_fund: 'false' },
      });
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(Object.keys(pkg.devDependencies).sort()).toEqual([...names].sort());
      const after = runMedrl(['config', '--check', '--json'], { cwd: dir });
      expect(after.status, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout).check.components).toContain('rules/safety');
    }
  }, 120_000);

  it('needs nothing installed for a JSON config, which names the plugins', () => {
    const dir = tempDir('medrl-init-bare-');
    const init = runMedrl(['init', '--format', 'json'], { cwd: dir });
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toBe(`wrote ${path.join(dir, 'medrl.config.json')}\ncheck it with: medrl config --check\n`);
    expect(runMedrl(['config', '--check'], { cwd: dir }).status).toBe(0);
  });
});
