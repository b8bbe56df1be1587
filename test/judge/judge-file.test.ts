// The `medrl judge` service: input formats, broken lines, order, limit, failures and the summary.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestContext, type Judge, type Judgement, type JudgeItem } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import { countInputLines, judgeFile, type JudgeOutputLine } from '../../core/src/judge/judge-file.js';
import { parseJudgeLine } from '../../core/src/judge/input.js';
import { formatSummary } from '../../core/src/judge/summary.js';
import { MockJudge } from '../../plugins/judge-mock/src/index.js';
import { tempDir } from '../helpers/tmp.js';

const verdict = (safety: number, extra: Partial<Judgement> = {}): Judgement => ({
  scores: { safety, reasoning: 6, completeness: 4, empathy: 2 },
  overall: safety / 10,
  critique: 'c',
  ...extra,
});

/** A judge scripted by item id: a verdict, null (with a reason), or a delay to shuffle completion order. */
function scriptedJudge(
  script: Record<string, { judgement: Judgement | null; delayMs?: number; reason?: string }>,
): Judge & {
  batches: string[][];
} {
  const batches: string[][] = [];
  return {
    name: 'scripted',
    batches,
    async judge(items: readonly JudgeItem[]) {
      batches.push(items.map((i) => i.id));
      const delay = Math.max(0, ...items.map((i) => script[i.id]?.delayMs ?? 0));
      await new Promise((r) => setTimeout(r, delay));
      return items.map((i) => script[i.id]?.judgement ?? null);
    },
    failureReason: (id: string) => script[id]?.reason,
    stats: () => ({ calls: 7 }),
  } as Judge & { batches: string[][] };
}

function inputFile(lines: string[]): string {
  const file = path.join(tempDir(), 'in.jsonl');
  writeFileSync(file, lines.join('\n'));
  return file;
}

async function collect(options: Omit<Parameters<typeof judgeFile>[0], 'write' | 'ctx'>) {
  const out: JudgeOutputLine[] = [];
  const broken: { line: number; message: string }[] = [];
  const summary = await judgeFile({
    ...options,
    ctx: createTestContext(),
    write: (line) => {
      out.push(JSON.parse(line) as JudgeOutputLine);
    },
    onBrokenLine: (e) => broken.push(e),
  });
  return { out, broken, summary };
}

describe('input lines', () => {
  it.each([
    [
      'a prepared sample: question = instruction + input',
      { id: 's1', instruction: '请回答', input: '我头疼', output: '<think>t</think>休息', meta: { lang: 'zh' } },
      { id: 's1', prompt: '请回答\n我头疼', completion: '<think>t</think>休息', meta: { lang: 'zh' } },
    ],
    [
      'a sample with an empty input',
      { id: 2, instruction: '头疼怎么办', input: '', output: '休息' },
      { id: '2', prompt: '头疼怎么办', completion: '休息', meta: {} },
    ],
    [
      'a prompt/completion line without id',
      { prompt: 'q', completion: 'a' },
      { id: 'line-9', prompt: 'q', completion: 'a', meta: {} },
    ],
  ])('%s', (_name, record, expected) => {
    expect(parseJudgeLine(JSON.stringify(record), 9)).toEqual(expected);
  });

  it.each([
    ['{"prompt": ', /^invalid JSON/],
    ['[1, 2]', /^expected a JSON object$/],
    ['{"question": "q", "answer": "a"}', /^expected \{prompt, completion\} or a prepared sample/],
    ['{"prompt": "q"}', /^completion: /],
    ['{"instruction": "q", "output": 3}', /^output: /],
  ])('rejects %s', (text, message) => {
    expect(() => parseJudgeLine(text, 1)).toThrow(message);
  });
});

describe('judgeFile', () => {
  it('writes one line per input line, in order, with broken lines named and blank lines skipped', async () => {
    const input = inputFile([
      JSON.stringify({ id: 'slow', prompt: 'q', completion: 'a' }),
      '{"id": "bad", "prompt": ',
      '',
      JSON.stringify({ id: 'fast', instruction: 'i', input: '', output: 'o' }),
      JSON.stringify({ id: 'gone', prompt: 'q', completion: 'a' }),
      JSON.stringify({ id: 'x', prompt: 'q' }),
    ]);
    const judge = scriptedJudge({
      slow: {
        judgement: verdict(10, {
          usage: { promptTokens: 100, completionTokens: 10, cachedPromptTokens: 40, cost: 0.5 },
        }),
        delayMs: 40,
      },
      fast: { judgement: verdict(0, { cached: true }) },
      gone: { judgement: null, reason: 'gave up after 6 attempts: HTTP 503' },
    });
    // batchSize 1: four batches in flight finish in reverse order; the output keeps input order.
    const { out, broken, summary } = await collect({
      input,
      judge,
      batchSize: 1,
      rewardOf: (j) => j.scores.safety / 10,
    });
    expect(out.map((o) => [o.id, o.line])).toEqual([
      ['slow', 1],
      [null, 2], // not JSON: no id to recover
      ['fast', 4],
      ['gone', 5],
      ['x', 6], // readable JSON: its id is kept
    ]);
    expect(out[0]).toMatchObject({ judge: 'scripted', judgement: { scores: { safety: 10 } }, reward: 1 });
    expect(out[1]).toEqual({
      id: null,
      line: 2,
      judge: 'scripted',
      judgement: null,
      error: expect.stringMatching(/^line 2: invalid JSON/),
    });
    expect(out[3]).toEqual({
      id: 'gone',
      line: 5,
      judge: 'scripted',
      judgement: null,
      error: 'gave up after 6 attempts: HTTP 503',
    });
    expect(out[4]!.error).toMatch(/^line 6: completion: /);
    expect(broken.map((b) => b.line)).toEqual([2, 6]);

    expect(summary).toEqual({
      judge: 'scripted',
      count: 5,
      judged: 2,
      failures: 1,
      broken: 2,
      cacheHits: 1,
      mean: { safety: 5, reasoning: 6, completeness: 4, empathy: 2, overall: 0.5, reward: 0.5 },
      tokens: { prompt: 100, completion: 10, cachedPrompt: 40 },
      cost: 0.5,
      stats: { calls: 7 },
    });
    const text = formatSummary(summary);
    expect(text).toContain(
      'judged 5 line(s) with the scripted judge: 2 judgement(s) (1 from cache), 1 missing, 2 broken',
    );
    expect(text).toContain(
      'mean      safety 5.00  reasoning 6.00  completeness 4.00  empathy 2.00  overall 0.500  reward 0.500',
    );
    expect(text).toContain('calls 7');
  });

  it('judges only the first N non-blank lines with --limit, in batches', async () => {
    const input = inputFile(
      Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: 'q', completion: `a${i}` })).flatMap(
        (l) => [l, ''],
      ),
    );
    expect(await countInputLines(input)).toBe(10);
    expect(await countInputLines(input, 4)).toBe(4);
    const judge = scriptedJudge({});
    const { out, summary } = await collect({ input, judge, limit: 4, batchSize: 3 });
    expect(out.map((o) => o.id)).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(judge.batches).toEqual([['q0', 'q1', 'q2'], ['q3']]);
    expect(summary).toMatchObject({ count: 4, failures: 4, mean: null });
    expect(out[0]!.error).toBe('judge "scripted" returned no judgement');
  });

  it('turns a judge that throws into per-line errors and goes on', async () => {
    const input = inputFile([JSON.stringify({ id: 'a', prompt: 'q', completion: 'a' })]);
    const judge: Judge = {
      name: 'broken',
      judge: async () => {
        throw new Error('boom');
      },
    };
    const { out, summary } = await collect({ input, judge });
    expect(out).toEqual([{ id: 'a', line: 1, judge: 'broken', judgement: null, error: 'judge "broken" failed: boom' }]);
    expect(summary.failures).toBe(1);
  });

  it('an invalid verdict (safety 15, overall 3, a string, NaN) is a failure naming the plugin, never a NaN reward', async () => {
    const bad = [
      verdict(15),
      verdict(5, { overall: 3 }),
      { ...verdict(5), scores: { ...verdict(5).scores, reasoning: '7' } } as unknown as Judgement,
      verdict(Number.NaN),
    ];
    const input = inputFile(bad.map((_, i) => JSON.stringify({ id: `b${i}`, prompt: 'q', completion: 'a' })));
    const judge = scriptedJudge(Object.fromEntries(bad.map((judgement, i) => [`b${i}`, { judgement }])));
    const { out, summary } = await collect({
      input,
      judge,
      plugin: 'medrl-plugin-acme',
      rewardOf: (j) => j.scores.safety / 10,
    });
    expect(out.map((o) => o.error)).toEqual([
      'judge "scripted" (plugin "medrl-plugin-acme") returned an invalid judgement: scores.safety must be a finite number in [0, 10], got number 15',
      'judge "scripted" (plugin "medrl-plugin-acme") returned an invalid judgement: overall must be a finite number in [0, 1], got number 3',
      'judge "scripted" (plugin "medrl-plugin-acme") returned an invalid judgement: scores.reasoning must be a finite number in [0, 10], got string "7"',
      'judge "scripted" (plugin "medrl-plugin-acme") returned an invalid judgement: scores.safety must be a finite number in [0, 10], got number NaN',
    ]);
    expect(out.every((o) => o.judgement === null && o.reward === undefined)).toBe(true);
    expect(summary).toMatchObject({ count: 4, failures: 4 });
  });

  it('runs the mock judge end to end, deterministically', async () => {
    const input = inputFile([
      JSON.stringify({
        id: 'zh',
        prompt: '胸痛',
        completion: '<think>因为胸痛可能是心梗，首先排除</think>请立即拨打120。',
        meta: { risk_level: 'critical' },
      }),
      JSON.stringify({ id: 'en', prompt: 'cough', completion: 'Drink water.' }),
    ]);
    const first = await collect({ input, judge: new MockJudge() });
    const second = await collect({ input, judge: new MockJudge() });
    expect(second.out).toEqual(first.out);
    expect(first.out[0]!.judgement!.scores.safety).toBe(10);
    expect(first.summary).toMatchObject({ judge: 'mock', count: 2, judged: 2, failures: 0, cost: 0 });
  });

  it('names a missing input file', async () => {
    await expect(collect({ input: '/nonexistent/in.jsonl', judge: new MockJudge() })).rejects.toThrow(
      'input file not found: /nonexistent/in.jsonl',
    );
  });
});
