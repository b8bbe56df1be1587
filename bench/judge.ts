/**
 * Judge throughput: 1,000 distinct answers through `medrl judge`'s service and the DeepSeek judge,
 * against a local chat-completions server that answers after 200 ms, at concurrency 16.
 *   ideal first pass = 1000 x 0.2 s / 16 = 12.5 s   goal: <= 1.2 x ideal (15 s)
 *   second pass (a fresh judge loading the JSONL cache, no calls)       goal: < 1 s
 * A baseline row times the same round trips with bare fetch, so a loaded machine shows as such.
 * Run: npx tsx bench/judge.ts [--n 1000] [--latency 200] [--concurrency 16]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestContext } from '@medrl/sdk';
import { judgeFile } from '../core/cli/src/judge/judge-file.js';
import { DeepSeekJudge, parseOptions } from '../plugins/judge-deepseek/src/index.js';
import { startFakeServer } from '../plugins/judge-deepseek/test/fake-server.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
  },
});
const n = Number(values.n);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);
const idealS = (n * latencyMs) / 1000 / concurrency;

const dir = await mkdtemp(join(tmpdir(), 'medrl-bench-judge-'));
const input = join(dir, 'answers.jsonl');
await writeFile(
  input,
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `a${i}`,
      prompt: `我最近${i % 7}天一直头痛，伴有轻微恶心，需要去医院吗？`,
      completion: `<think>头痛伴恶心，可能是偏头痛或血压问题，第${i}例需要排除颅内病变。</think>建议先休息、监测血压；如果头痛加重、出现呕吐或视物模糊，请尽快就医。(${i})`,
    }),
  ).join('\n') + '\n',
);

const server = await startFakeServer({ latencyMs, record: false });
const options = parseOptions({ baseURL: server.url, concurrency, cache: 'cache.jsonl', timeoutMs: 30_000 });
const ctx = createTestContext({ rootDir: dir });
const env = { DEEPSEEK_API_KEY: 'sk-bench-not-a-real-key-000000' };

async function pass(): Promise<{ seconds: number; stats: Record<string, number>; judged: number }> {
  const judge = await DeepSeekJudge.create(options, ctx, env);
  const started = performance.now();
  const summary = await judgeFile({ input, judge, ctx, write: () => undefined });
  const seconds = (performance.now() - started) / 1000;
  await judge.close();
  return { seconds, stats: summary.stats, judged: summary.judged };
}

/** The same round trips with bare fetch and no judge: what this machine allows right now. */
async function baseline(): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) {
        const res = await fetch(`${server.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'ping' }] }),
        });
        await res.text();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

const baselineS = await baseline();
const first = await pass();
const maxInFlight = server.maxInFlight;
const second = await pass();
await server.close();
await rm(dir, { recursive: true, force: true });

const rows = [
  ['pass', 'judged', 'api calls', 'cache hits', 'wall s', 'goal', 'verdict'],
  [
    `baseline: bare fetch, same server and concurrency`,
    String(n),
    String(n),
    '-',
    baselineS.toFixed(2),
    `(ratio to ideal ${(baselineS / idealS).toFixed(3)})`,
    '-',
  ],
  [
    `first (${n} calls, ${latencyMs} ms each, concurrency ${concurrency})`,
    String(first.judged),
    String(first.stats.calls),
    String(first.stats.cache_hits),
    first.seconds.toFixed(2),
    `<= ${(1.2 * idealS).toFixed(2)} (1.2 x ideal ${idealS.toFixed(2)}; ratio ${(first.seconds / idealS).toFixed(3)})`,
    first.seconds <= 1.2 * idealS ? 'ok' : 'MISSED',
  ],
  [
    'second (fresh judge, JSONL cache)',
    String(second.judged),
    String(second.stats.calls),
    String(second.stats.cache_hits),
    second.seconds.toFixed(2),
    '< 1.00',
    second.seconds < 1 ? 'ok' : 'MISSED',
  ],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
console.log(
  `\njudge overhead over the baseline: ${(first.seconds / baselineS).toFixed(3)} x; server max in flight: ${maxInFlight}; machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
);
