/**
 * `npm run pack`: one installable tarball per published workspace (every workspace that is not
 * private), written into one folder, so that another project can `npm i ./that-folder/*.tgz` before
 * medrl is on the npm registry. Before packing it checks that the versions line up (every @medrl/*
 * range a package declares accepts the workspace's version); after packing, that each tarball holds
 * what its package.json points at (main, types, exports, bin, oclif's commands and hooks), and it
 * names the packages without a README (npm shows it as the package's page).
 *
 *   npm run pack                      # into dist-packages/ (older tarballs there are removed)
 *   npm run pack -- /tmp/medrl-pkgs   # into another folder
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const repoRoot = path.resolve(import.meta.dirname, '..');

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
  oclif?: { commands?: string; hooks?: Record<string, string | string[]> };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Workspace extends Manifest {
  location: string;
}

interface Packed {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** The workspaces npm knows, with their manifests (`npm query .workspace`). */
export function workspaces(cwd = repoRoot): Workspace[] {
  return JSON.parse(execFileSync('npm', ['query', '.workspace'], { cwd, encoding: 'utf8' })) as Workspace[];
}

/** Every @medrl/* (or other workspace) range that a published package declares but its workspace's version misses. */
export function misalignedRanges(all: Workspace[]): string[] {
  const versions = new Map(all.map((w) => [w.name, w.version]));
  const problems: string[] = [];
  for (const w of all.filter((x) => !x.private)) {
    for (const [field, deps] of [
      ['dependencies', w.dependencies],
      ['peerDependencies', w.peerDependencies],
    ] as const) {
      for (const [name, range] of Object.entries(deps ?? {})) {
        const version = versions.get(name);
        if (version === undefined) continue;
        const other = all.find((x) => x.name === name)!;
        if (other.private)
          problems.push(`${w.name}: ${field}["${name}"]: ${name} is private and will not be published`);
        else if (!semver.satisfies(version, range))
          problems.push(`${w.name}: ${field}["${name}"] is "${range}", but the workspace's version is ${version}`);
      }
    }
  }
  return problems;
}

/** Paths (without "./") that a manifest points at and the package needs at run time. */
export function entryPoints(manifest: Manifest): string[] {
  const out = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.startsWith('./') || !value.includes(':')) out.add(value.replace(/^\.\//, ''));
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value && typeof value === 'object') Object.values(value).forEach(add);
  };
  add(manifest.main);
  add(manifest.types);
  add(manifest.exports);
  add(manifest.bin);
  add(manifest.oclif?.commands);
  add(manifest.oclif?.hooks);
  return [...out].filter((p) => p !== '' && p !== 'package.json');
}

/** The entry points a packed file list lacks (each is a file, or a folder with files in it). */
export function missingFiles(manifest: Manifest, files: string[]): string[] {
  const has = (p: string) => files.some((f) => f === p || f.startsWith(`${p.replace(/\/$/, '')}/`));
  return entryPoints(manifest).filter((p) => !has(p) && !has(`${p}.js`));
}

export const hasReadme = (files: string[]) => files.some((f) => /^readme(\.md)?$/i.test(f));

function main(): void {
  const destination = path.resolve(process.argv[2] ?? path.join(repoRoot, 'dist-packages'));
  const all = workspaces();
  const published = all.filter((w) => !w.private);
  const misaligned = misalignedRanges(all);
  if (misaligned.length > 0) {
    console.error(`npm run pack: versions do not line up:\n${misaligned.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  mkdirSync(destination, { recursive: true });
  // A stale tarball of an older version would be installed by `npm i <folder>/*.tgz` too.
  for (const file of readdirSync(destination)) if (file.endsWith('.tgz')) rmSync(path.join(destination, file));

  // The build ran just before (npm run pack); without scripts, nothing but npm's JSON reaches stdout.
  const args = [
    'pack',
    '--json',
    '--ignore-scripts',
    '--pack-destination',
    destination,
    ...published.flatMap((w) => ['-w', w.location]),
  ];
  const packed = JSON.parse(
    execFileSync('npm', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as Packed[];

  const problems: string[] = [];
  const rows = packed.map((p) => {
    const manifest = published.find((w) => w.name === p.name)!;
    const files = p.files.map((f) => f.path);
    for (const file of missingFiles(manifest, files)) problems.push(`${p.name}: the tarball lacks ${file}`);
    if (!hasReadme(files)) console.warn(`npm run pack: warning: ${p.name} has no README.md`);
    // tsc -b's build state: a few hundred kB of nothing a user needs.
    for (const f of files.filter((x) => x.endsWith('.tsbuildinfo')))
      console.warn(`npm run pack: warning: ${p.name} ships ${f}; add "!${f}" to its files`);
    return [
      p.filename,
      p.version,
      `${(p.size / 1024).toFixed(0)} kB`,
      `${(p.unpackedSize / 1024).toFixed(0)} kB`,
      `${p.files.length}`,
    ];
  });
  const header = ['tarball', 'version', 'packed', 'unpacked', 'files'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log([line(header), ...rows.map(line)].join('\n'));
  if (problems.length > 0) {
    console.error(`npm run pack: incomplete packages:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(
    `\n${packed.length} packages in ${destination}; in another project: npm i ${path.join(destination, '*.tgz')}`,
  );
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) main();
