import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMedrl } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

// Key-shaped but fake; assembled so the source holds nothing that looks like a real key.
const FAKE_KEY = ['sk', 'abcdefghijklmnopqrstuvwxyz0123'].join('-');

/** A project whose JSON config loads a local plugin: reward = answer length / 10, capped at 1. */
function project(): string {
  return writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({
      plugins: [['./length-plugin.mjs', { apiKey: FAKE_KEY, cap: 1 }]],
      reward: { components: [{ use: 'length/tenth', weight: 1 }], clip: [-1, 1] },
    }),
    'length-plugin.mjs': `export default (options) => ({
      name: 'length-plugin', apiVersion: '1.0', version: '0.0.1',
      setup(api) {
        api.registerReward({ name: 'length/tenth', score: async (rollouts) =>
          rollouts.map((r) => ({ value: Math.min(options.cap, r.answer.length / 10), reasons: ['length/measured'] })) });
      },
      onStep() {},
    });`,
    'in.jsonl': [
      JSON.stringify({ id: 'a', prompt: 'q1', completion: '<think>t</think>12345' }),
      '{"id": "broken", "prompt": ',
      '',
      JSON.stringify({ prompt: 'q3', completion: 'abc', meta: { risk_level: 'high' } }),
      JSON.stringify({ id: 'x', prompt: 'q4' }),
      JSON.stringify({ id: 7, prompt: 'q5', completion: '0123456789012' }),
    ].join('\n'),
  });
}

describe('medrl reward', () => {
  it('writes breakdowns of good lines, names broken lines, exits non-zero', () => {
    const dir = project();
    const out = path.join(dir, 'out', 'scored.jsonl');
    const result = runMedrl(['reward', '--input', 'in.jsonl', '--out', out], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/in\.jsonl:2: invalid JSON/);
    expect(result.stderr).toMatch(/in\.jsonl:5: completion: .*expected string/);
    expect(result.stderr).not.toMatch(/in\.jsonl:3:/); // blank lines are skipped, not errors
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        id: 'a',
        total: 0.5,
        components: { 'length/tenth': { raw: 0.5, weighted: 0.5, reasons: ['length/measured'] } },
      },
      {
        id: 'line-4',
        total: 0.3,
        components: { 'length/tenth': { raw: 0.3, weighted: 0.3, reasons: ['length/measured'] } },
      },
      { id: '7', total: 1, components: { 'length/tenth': { raw: 1, weighted: 1, reasons: ['length/measured'] } } },
    ]);
    expect(readdirSync(path.dirname(out))).toEqual(['scored.jsonl']); // no temp file left behind
  });

  it('exits 0 and writes to stdout when every line is good', () => {
    const dir = writeTree(project(), {
      'good.jsonl': JSON.stringify({ id: 'g', prompt: 'q', completion: 'abcd' }) + '\n',
    });
    const result = runMedrl(['reward', '--input', 'good.jsonl'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ id: 'g', total: 0.4 });
  });

  it('fails clearly on a missing input file, leaving no output', () => {
    const dir = project();
    const result = runMedrl(['reward', '--input', 'nope.jsonl', '--out', 'o.jsonl'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/input file not found: nope\.jsonl/);
    expect(existsSync(path.join(dir, 'o.jsonl'))).toBe(false);
  });
});

describe('medrl config and plugins', () => {
  it('config --json prints the resolved config with secrets redacted', () => {
    const dir = project();
    const result = runMedrl(['config', '--json'], { cwd: dir, env: { DEEPSEEK_API_KEY: FAKE_KEY } });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(FAKE_KEY);
    const view = JSON.parse(result.stdout);
    expect(view.configFile).toBe(path.join(dir, 'medrl.config.json'));
    expect(view.plugins).toEqual([['./length-plugin.mjs', { apiKey: '***', cap: 1 }]]);
    expect(view.reward.onMissing).toBe('renormalize');
    expect(view.judge.weights.safety).toBe(0.4);
  });

  it('plugins --json lists each plugin with version and registrations', () => {
    const result = runMedrl(['plugins', '--json'], { cwd: project() });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).plugins).toEqual([
      expect.objectContaining({
        name: 'length-plugin',
        version: '0.0.1',
        apiVersion: '1.0',
        rewards: ['length/tenth'],
        judges: [],
        checkpointWriters: [],
        hooks: ['onStep'],
      }),
    ]);
  });

  it('a config error exits non-zero naming the config path', () => {
    const dir = writeTree(tempDir(), { 'medrl.config.json': '{ "reward": { "clip": "wide" } }' });
    const result = runMedrl(['config'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: invalid config in .*medrl\.config\.json:\n\s+- reward\.clip/);
  });
});

describe('medrl judge exit code', () => {
  it('is 1 with --json too when a line has no judgement, after printing the summary as the one JSON document', () => {
    const dir = writeTree(tempDir(), {
      'medrl.config.json': JSON.stringify({
        plugins: ['@medrl/plugin-judge-mock'],
        reward: { components: [{ use: 'judge', weight: 1 }] },
      }),
      'in.jsonl': [
        JSON.stringify({ id: 'a', prompt: '头痛', completion: '<think>x</think>建议就医。' }),
        '{broken',
      ].join('\n'),
    });
    const result = runMedrl(['judge', '--input', 'in.jsonl', '--judge', 'mock', '--out', 'out.jsonl', '--json'], {
      cwd: dir,
    });
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ count: 2, broken: 1, failures: 0 });
    expect(result.stderr).toMatch(/in\.jsonl:2:/);
    expect(readFileSync(path.join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
