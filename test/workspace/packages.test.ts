/**
 * The packages of docs/architecture.md exist and are publishable: name, aligned version, exports,
 * types, files, engines, a README saying what lives there and what it may import, and a place in the
 * `tsc -b` build. (That `npm pack` installs them elsewhere is the consumer test's job.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/tmp.js';

interface Pjson {
  name: string;
  version: string;
  private?: boolean;
  types?: string;
  exports?: Record<string, unknown>;
  files?: string[];
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const read = <T>(rel: string): T => JSON.parse(readFileSync(path.join(repoRoot, rel), 'utf8')) as T;

// [folder, package name]: the table of docs/architecture.md.
const PACKAGES: [string, string][] = [
  ['sdk', '@medrl/sdk'],
  ['core/runtime', '@medrl/core'],
  ['core/engine', '@medrl/engine'],
  ['core/train', '@medrl/train'],
  ['core/serve', '@medrl/serve'],
  ['core/cli', 'medrl'],
  ['plugins/preset-medical', '@medrl/preset-medical'],
  ['plugins/rules', '@medrl/plugin-rules'],
  ['plugins/judge-deepseek', '@medrl/plugin-judge-deepseek'],
  ['plugins/judge-mock', '@medrl/plugin-judge-mock'],
  ['plugins/checkpoint-hf', '@medrl/plugin-checkpoint-hf'],
  ['plugins/tensorboard', '@medrl/plugin-tensorboard'],
];

describe('workspace packages', () => {
  const root = read<Pjson & { workspaces: string[] }>('package.json');
  const build = read<{ references: { path: string }[] }>('tsconfig.build.json').references.map((r) => r.path);

  it.each(PACKAGES)('%s is %s, publishable, in the build', (folder, name) => {
    const pkg = read<Pjson>(`${folder}/package.json`);
    expect(pkg.name).toBe(name);
    expect(pkg.private).toBeUndefined();
    expect(pkg.version).toBe(root.version);
    expect(pkg.exports?.['./package.json']).toBe('./package.json');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(build).toContain(folder);
    if (name !== 'medrl') {
      // Every library has typed entry points; the CLI is a bin that nothing imports.
      expect(pkg.types).toBe('./dist/index.d.ts');
      expect(pkg.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    }
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      if (dep.startsWith('@medrl/') || dep === 'medrl') expect(range, `${folder}: ${dep}`).toBe(`^${root.version}`);
    }
    const readme = readFileSync(path.join(repoRoot, folder, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toContain(name);
    if (folder.startsWith('core/') || folder === 'plugins/preset-medical') expect(readme).toMatch(/May import/i);
  });

  it('subpath exports point at files the build writes', () => {
    for (const [folder] of PACKAGES) {
      const exports = read<Pjson>(`${folder}/package.json`).exports ?? {};
      for (const [subpath, target] of Object.entries(exports)) {
        if (subpath === './package.json') continue;
        const { types, default: js } = target as { types: string; default: string };
        const source = path.join(repoRoot, folder, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
        expect(existsSync(source), `${folder} ${subpath} -> ${js}`).toBe(true);
        expect(types).toBe(js.replace(/\.js$/, '.d.ts'));
      }
    }
  });

  it('the medrl CLI depends on every package it runs, and serve installs no tfjs', () => {
    const cli = read<Pjson>('core/cli/package.json');
    expect(cli.bin).toEqual({ medrl: './bin/run.js' });
    for (const [, name] of PACKAGES.filter(([, n]) => n !== 'medrl'))
      expect(Object.keys(cli.dependencies ?? {}), name).toContain(name);
    const serve = read<Pjson>('core/serve/package.json');
    expect(serve.bin).toEqual({ 'medrl-serve': './bin/medrl-serve.js' });
    const serveDeps = Object.keys({ ...serve.dependencies, ...serve.peerDependencies });
    expect(
      serveDeps.filter((d) => d.startsWith('@tensorflow/') || d === '@medrl/engine' || d === '@medrl/train'),
    ).toEqual([]);
    const runtimeDeps = Object.keys(read<Pjson>('core/runtime/package.json').dependencies ?? {});
    expect(runtimeDeps.filter((d) => d.startsWith('@tensorflow/') || /^@medrl\/(plugin|preset)-/.test(d))).toEqual([]);
  });
});
