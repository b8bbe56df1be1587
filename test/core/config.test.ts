import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config/load.js';
import { ConfigError } from '../../core/src/errors.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

const clip = '[-2, 3]';

// One row per config format cosmiconfig must find; each sets reward.clip to [-2, 3].
const formats: [string, Record<string, string>][] = [
  [
    'medrl.config.ts importing a local .ts file',
    {
      'medrl.config.ts': `import { clip } from './clip.ts';\nconst c: { reward: { clip: [number, number] } } = { reward: { clip } };\nexport default c;`,
      'clip.ts': `export const clip: [number, number] = ${clip};`,
    },
  ],
  ['medrl.config.mts', { 'medrl.config.mts': `export default { reward: { clip: ${clip} as [number, number] } };` }],
  [
    'medrl.config.js (ESM)',
    { 'medrl.config.js': `export default { reward: { clip: ${clip} } };`, 'package.json': '{"type":"module"}' },
  ],
  ['medrl.config.mjs', { 'medrl.config.mjs': `export default { reward: { clip: ${clip} } };` }],
  ['medrl.config.cjs', { 'medrl.config.cjs': `module.exports = { reward: { clip: ${clip} } };` }],
  ['medrl.config.json', { 'medrl.config.json': `{ "reward": { "clip": ${clip} } }` }],
  ['medrl.config.yaml', { 'medrl.config.yaml': `reward:\n  clip: ${clip}\n` }],
  ['.medrlrc (YAML)', { '.medrlrc': `reward:\n  clip: ${clip}\n` }],
  ['.medrlrc.json', { '.medrlrc.json': `{ "reward": { "clip": ${clip} } }` }],
  ['package.json "medrl" key', { 'package.json': `{ "name": "x", "medrl": { "reward": { "clip": ${clip} } } }` }],
];

describe('loadConfig finds every supported format', () => {
  it.each(formats)('%s', async (_name, files) => {
    const dir = writeTree(tempDir(), files);
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.config.reward.clip).toEqual([-2, 3]);
    expect(loaded.rootDir).toBe(dir);
    expect(loaded.filepath && path.dirname(loaded.filepath)).toBe(dir);
  });
});

describe('defaults', () => {
  it('applies every default when no file exists', async () => {
    const loaded = await loadConfig({ cwd: tempDir() });
    expect(loaded.filepath).toBeUndefined();
    expect(loaded.config.reward).toMatchObject({
      clip: [-1, 1],
      normalize: 'none',
      onMissing: 'renormalize',
      gates: [],
    });
    expect(loaded.config.reward.components.map((c) => [c.use, c.weight])).toEqual([
      ['rules/format', 0.1],
      ['rules/length', 0.1],
      ['rules/keyword', 0.1],
      ['rules/safety', 0.3],
      ['judge', 0.4],
    ]);
    expect(loaded.config.judge).toEqual({
      use: 'auto',
      weights: { safety: 0.4, reasoning: 0.3, completeness: 0.2, empathy: 0.1 },
      safetyZeroForcesZero: true,
      missingWarnRate: 0.05,
    });
  });

  it('fills defaults inside a partly given section', async () => {
    const loaded = await loadConfig({ inline: { judge: { weights: { safety: 1 } } } });
    expect(loaded.config.judge.weights).toEqual({ safety: 1, reasoning: 0.3, completeness: 0.2, empathy: 0.1 });
  });

  it('merges overrides over the file', async () => {
    const dir = writeTree(tempDir(), {
      'medrl.config.json': '{ "reward": { "clip": [-5, 5], "normalize": "running" } }',
    });
    const loaded = await loadConfig({ cwd: dir, overrides: { reward: { clip: [0, 1] } } });
    expect(loaded.config.reward.clip).toEqual([0, 1]);
    expect(loaded.config.reward.normalize).toBe('running');
  });
});

describe('config errors name the file, the path and what was expected', () => {
  const cases: [string, string, RegExp[]][] = [
    [
      'wrong type',
      '{ "reward": { "components": [{ "use": "x", "weight": "high" }] } }',
      [/reward\.components\[0\]\.weight/, /number/],
    ],
    ['unknown key', '{ "rewards": {} }', [/rewards/]],
    ['bad enum', '{ "reward": { "onMissing": "ignore" } }', [/reward\.onMissing/, /renormalize/]],
    ['clip order', '{ "reward": { "clip": [1, -1] } }', [/reward\.clip/, /min < max/]],
    [
      'gate on unknown component',
      '{ "reward": { "components": [{ "use": "a", "weight": 1 }], "gates": [{ "component": "b", "op": "lt", "value": 0, "total": -1 }] } }',
      [/reward\.gates\[0\]\.component/, /unknown component "b"/],
    ],
    [
      'duplicate component name',
      '{ "reward": { "components": [{ "use": "a", "weight": 1 }, { "use": "a", "weight": 2 }] } }',
      [/duplicate component name "a"/],
    ],
  ];
  it.each(cases)('%s', async (_name, json, patterns) => {
    const dir = writeTree(tempDir(), { 'medrl.config.json': json });
    const error = await loadConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(path.join(dir, 'medrl.config.json'));
    for (const pattern of patterns) expect(message).toMatch(pattern);
  });

  it('names the file of a config that does not parse', async () => {
    const dir = writeTree(tempDir(), { 'medrl.config.json': '{ "reward": ' });
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(/medrl\.config\.json/);
  });

  it('names an explicit --config path that does not exist', async () => {
    const dir = tempDir();
    await expect(loadConfig({ cwd: dir, configPath: 'nope.yaml' })).rejects.toThrow(/nope\.yaml/);
  });
});
