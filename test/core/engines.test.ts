/**
 * One statement of the supported Node.js versions (docs/getting-started.md#nodejs-versions), and a
 * dependency tree that accepts every one of them, so that `npm ci` prints no EBADENGINE warning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { NODE_ENGINES, scaffoldFiles } from '../../core/src/init/scaffold.js';
import { repoRoot } from '../helpers/tmp.js';

type Pjson = { name: string; engines?: { node?: string } };
const read = <T>(rel: string): T => JSON.parse(readFileSync(path.join(repoRoot, rel), 'utf8')) as T;
const root = read<Pjson & { workspaces: string[] }>('package.json');
const range = root.engines!.node!;

function workspacePackages(): string[] {
  return root.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(path.join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${pattern.slice(0, -2)}/${e.name}/package.json`)
      : [`${pattern}/package.json`],
  );
}

describe('supported Node.js versions', () => {
  it('are the LTS lines 22 and 24, and 20 from 20.19 (end of life, but what CI runs)', () => {
    expect(range).toBe('^20.19.0 || ^22.13.0 || >=24');
    expect(NODE_ENGINES).toBe(range);
    for (const version of ['20.19.0', '22.13.0', '24.0.0'])
      expect(semver.satisfies(version, range), version).toBe(true);
    for (const version of ['20.18.3', '22.12.0', '23.11.0'])
      expect(semver.satisfies(version, range), version).toBe(false);
  });

  it('include the Node.js running these tests', () => {
    expect(semver.satisfies(process.version, range)).toBe(true);
  });

  it('are stated by every workspace package and by the plugin scaffold', () => {
    const packages = workspacePackages();
    expect(packages.length).toBeGreaterThanOrEqual(8);
    for (const rel of packages) expect(read<Pjson>(rel).engines?.node, rel).toBe(range);
    const scaffolded = JSON.parse(scaffoldFiles('medrl-plugin-x', 'reward', '0.1.0')['package.json']!) as Pjson;
    expect(scaffolded.engines?.node).toBe(range);
  });

  it('are accepted by every package in package-lock.json (no EBADENGINE from npm ci)', () => {
    const lock = read<{ packages: Record<string, { version?: string; engines?: unknown }> }>('package-lock.json');
    const narrower = Object.entries(lock.packages)
      .filter(([, info]) => {
        const node = (info.engines as { node?: string } | undefined)?.node;
        return typeof node === 'string' && !semver.subset(range, node);
      })
      .map(([where, info]) => `${where}@${info.version}: ${(info.engines as { node: string }).node}`);
    expect(narrower).toEqual([]);
  });

  it('are the ones README and getting-started state', () => {
    expect(readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).toContain('Node.js 22 or 24; 20.19+ still works');
    const guide = readFileSync(path.join(repoRoot, 'docs/getting-started.md'), 'utf8');
    expect(guide).toContain(`"engines": { "node": "${range}" }`);
  });
});
