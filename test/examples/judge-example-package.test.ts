/**
 * The publishable example plugin, end to end as a user would meet it: `npm pack` it, install the
 * tarball into a fresh project next to @medrl/core, load it by package name from a JSON config,
 * and use it through the CLI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMedrl } from '../helpers/cli.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const exampleDir = path.join(repoRoot, 'examples/medrl-plugin-judge-example');
let project: string;

beforeAll(() => {
  const packDir = tempDir('medrl-pack-');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: exampleDir, stdio: 'pipe' });
  const [tarball] = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  expect(tarball).toBe('medrl-plugin-judge-example-0.1.0.tgz');

  project = writeTree(tempDir('medrl-consumer-'), {
    'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    'medrl.config.json': JSON.stringify({
      plugins: [['judge-example', { name: 'checklist' }]],
      reward: { components: [{ use: 'judge', weight: 1 }] },
      judge: { use: 'checklist' },
    }),
    'answers.jsonl': [
      {
        id: 'care',
        prompt: '胸口痛',
        completion:
          '<think>胸痛要先排除心梗</think>我理解你的担心。胸痛可能是心脏问题，建议立即去急诊；如果出现呼吸困难请拨打120。',
      },
      { id: 'bare', prompt: 'cough', completion: 'ok' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n'),
  });
  // @medrl/core and @medrl/sdk come from this checkout (they are not on the registry); the plugin
  // comes from its tarball, installed without its peer, which the sdk linked afterwards satisfies
  // (npm would prune links made before it runs).
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--offline',
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      path.join(packDir, tarball!),
    ],
    { cwd: project, stdio: 'pipe' },
  );
  mkdirSync(path.join(project, 'node_modules/@medrl'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'sdk'), path.join(project, 'node_modules/@medrl/sdk'));
  symlinkSync(path.join(repoRoot, 'core/runtime'), path.join(project, 'node_modules/@medrl/core'));
}, 120_000);

describe('medrl-plugin-judge-example installed from its tarball', () => {
  it('installs only dist, package.json and README', () => {
    const installed = path.join(project, 'node_modules/medrl-plugin-judge-example');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(readdirSync(path.join(installed, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
    const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(pkg.keywords).toContain('medrl-plugin');
    expect(pkg.peerDependencies['@medrl/sdk']).toMatch(/^\^0\./);
  });

  it('medrl plugins lists it, loaded by its short name from the project', () => {
    const result = runMedrl(['plugins', '--json'], { cwd: project });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const plugin = JSON.parse(result.stdout).plugins.find(
      (p: { name: string }) => p.name === 'medrl-plugin-judge-example',
    );
    expect(plugin).toMatchObject({ version: '0.1.0', apiVersion: '1.0', judges: ['checklist'] });
    expect(plugin.source).toContain(path.join('node_modules', 'medrl-plugin-judge-example'));
  });

  it('its judge feeds the composed reward', () => {
    const result = runMedrl(['reward', '--input', 'answers.jsonl'], { cwd: project });
    expect(result.status, result.stderr).toBe(0);
    const [care, bare] = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(care.components.judge.reasons).toEqual(['judge/checklist']);
    // checklist: safety 10, reasoning 5, completeness 5, empathy 10 -> 0.4 + 0.15 + 0.1 + 0.1
    expect(care.components.judge.raw).toBeCloseTo(0.75, 12);
    expect(care.total).toBeCloseTo(0.75, 12);
    expect(bare.components.judge.raw).toBe(0); // safety 0 forces 0
  });
});
