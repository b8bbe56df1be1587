// `medrl judge` run in-process from source, with the built judge plugins loaded by package name
// from a config file, against a local chat-completions server. No test reaches the internet.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import JudgeCommand from '../../../core/cli/src/commands/judge.js';
import type { JudgeSummary } from '../../../core/cli/src/judge/summary.js';
import { startFakeServer, type FakeServer } from '../../../plugins/judge-deepseek/test/fake-server.js';
import { repoRoot, tempDir, writeTree } from '../../helpers/tmp.js';

const coreRoot = path.join(repoRoot, 'core/cli');
const KEY = 'sk-command-test-0123456789abcdef';
let server: FakeServer;
const savedKey = process.env.DEEPSEEK_API_KEY;

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  if (savedKey === undefined) delete process.env.DEEPSEEK_API_KEY;
  else process.env.DEEPSEEK_API_KEY = savedKey;
  vi.restoreAllMocks();
});

function project(): string {
  return writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({
      plugins: [
        '@medrl/plugin-judge-mock',
        [
          '@medrl/plugin-judge-deepseek',
          { baseURL: server.url, retryBaseMs: 1, retryMaxMs: 2, cache: 'cache/judgements.jsonl' },
        ],
      ],
    }),
    'in.jsonl': [
      JSON.stringify({
        id: 's1',
        instruction: '我胸口疼',
        input: '',
        output: '<think>可能是心绞痛</think>请立即就医。',
        meta: {},
      }),
      JSON.stringify({ id: 'p2', prompt: '头疼怎么办', completion: '多休息，如加重请就诊。' }),
      '',
      JSON.stringify({ id: 'p3', prompt: '发烧', completion: '多喝水。' }),
    ].join('\n'),
  });
}

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('medrl judge', () => {
  it('judges with DeepSeek, prints the summary as JSON, and serves a second run from the cache', async () => {
    process.env.DEEPSEEK_API_KEY = KEY;
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    const dir = project();
    const args = ['--config', path.join(dir, 'medrl.config.json'), '--input', path.join(dir, 'in.jsonl'), '--json'];
    const out1 = path.join(dir, 'out1.jsonl');
    const first = (await JudgeCommand.run([...args, '--out', out1, '--judge', 'deepseek'], coreRoot)) as JudgeSummary;
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.user).toContain('我胸口疼');
    expect(first).toMatchObject({
      judge: 'deepseek',
      count: 3,
      judged: 3,
      failures: 0,
      cacheHits: 0,
      mean: { safety: 8, reasoning: 7, completeness: 6, empathy: 5, overall: 0.7 },
      tokens: { prompt: 3000, completion: 300, cachedPrompt: 1800 },
      stats: { calls: 3 },
    });
    // Default weights 0.4/0.3/0.2/0.1 over scores 8/7/6/5 out of 10.
    expect(first.mean?.reward).toBeCloseTo(0.4 * 0.8 + 0.3 * 0.7 + 0.2 * 0.6 + 0.1 * 0.5, 10);
    expect(first.cost).toBeCloseTo(3 * ((400 * 0.28 + 600 * 0.028 + 100 * 0.42) / 1e6), 12);
    const lines = readLines(out1);
    expect(lines.map((l) => l.id)).toEqual(['s1', 'p2', 'p3']);
    expect(lines[0]).toMatchObject({ line: 1, judge: 'deepseek', judgement: { scores: { safety: 8 } } });
    expect(readFileSync(path.join(dir, 'cache/judgements.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);

    // --json: the summary is the one JSON document on stdout.
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ judge: 'deepseek', judged: 3 });
    printed.length = 0;

    const out2 = path.join(dir, 'out2.jsonl');
    const second = (await JudgeCommand.run([...args, '--out', out2, '--judge', 'deepseek'], coreRoot)) as JudgeSummary;
    expect(server.requests).toHaveLength(3);
    expect(second).toMatchObject({ judged: 3, cacheHits: 3, cost: 0, stats: { calls: 0, cache_hits: 3 } });
    expect(readLines(out2).map((l) => (l.judgement as { cached?: boolean }).cached)).toEqual([true, true, true]);
    const files = [out1, out2, path.join(dir, 'cache/judgements.jsonl')].map((f) => readFileSync(f, 'utf8'));
    for (const text of files) expect(text).not.toContain(KEY);
  });

  it('falls back to the mock judge without a key, names broken lines and exits 1', async () => {
    delete process.env.DEEPSEEK_API_KEY;
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    // oclif's logToStderr goes through console.error.
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      stderr.push(args.join(' ') + '\n');
    });
    const dir = project();
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, readFileSync(input, 'utf8') + '\n{"id": "bad", "prompt": \n');
    const out = path.join(dir, 'out.jsonl');
    const requestsBefore = server.requests.length;
    await expect(
      JudgeCommand.run(['--config', path.join(dir, 'medrl.config.json'), '--input', input, '--out', out], coreRoot),
    ).rejects.toMatchObject({ oclif: { exit: 1 } });
    expect(server.requests.length).toBe(requestsBefore);
    const text = stderr.join('');
    expect(text).toContain('judge auto: deepseek not available (an API judge needs its key); using mock');
    expect(text).toContain(`${input}:5: invalid JSON`);
    expect(text).toContain('judged 4 line(s) with the mock judge: 3 judgement(s) (0 from cache), 0 missing, 1 broken');
    const lines = readLines(out);
    expect(lines.map((l) => [l.id, l.judge])).toEqual([
      ['s1', 'mock'],
      ['p2', 'mock'],
      ['p3', 'mock'],
      [null, 'mock'],
    ]);
    expect(lines[3]).toMatchObject({ line: 5, judgement: null, error: expect.stringMatching(/^line 5: invalid JSON/) });
  });

  it('refuses --json without --out before doing any work', async () => {
    const dir = project();
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    await expect(
      JudgeCommand.run(['--config', path.join(dir, 'medrl.config.json'), '--input', 'in.jsonl', '--json'], coreRoot),
    ).rejects.toBeTruthy();
    expect(printed.join('\n')).toContain('--json prints the summary on stdout: give --out <jsonl> for the judgements');
    expect(existsSync(path.join(dir, 'cache'))).toBe(false);
  });
});
