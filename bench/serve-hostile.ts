/**
 * Hostile bodies against `medrl serve` (issue 17 item 10): huge arrays in fields that must be short.
 * Each body goes to the repository's default reward (rules and the mock judge) through fastify's
 * inject, in this process, scored in the server's thread (serve.threads 0, the worst case for the
 * event loop). Prints per body its size, the status, the size of the answer, the time to answer and
 * the RSS growth, beside the figures issue 17 reported before the fix.
 *
 *   npx tsx bench/serve-hostile.ts
 */
// tsyringe (in core's run) needs the Reflect metadata API before any decorated class loads.
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { openRun } from '../core/src/runtime/run.js';
import { createServer } from '../core/src/serve/server.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const PROMPT = '<|im_start|>user\nChest pain?<|im_end|>\n<|im_start|>assistant\n';

const cases: { name: string; url: string; body: string; before: string }[] = [
  {
    name: 'prompts: 10^6 numbers',
    url: '/get_reward',
    body: `{"query": ${JSON.stringify([`${PROMPT}ok`])}, "prompts": [${'1,'.repeat(999_999)}1]}`,
    before: '400, 86 MB answer, 6.8 s, +0.9 GiB',
  },
  {
    name: 'prompts: 5*10^6 numbers',
    url: '/get_reward',
    body: `{"query": ${JSON.stringify([`${PROMPT}ok`])}, "prompts": [${'1,'.repeat(4_999_999)}1]}`,
    before: '400, 434 MB answer',
  },
  {
    name: 'meta.risk_categories: 10^6',
    url: '/v1/reward',
    body: JSON.stringify({
      items: [{ prompt: 'p', completion: 'c', meta: { risk_categories: Array(1_000_000).fill('emergency') } }],
    }),
    before: '500 Maximum call stack size exceeded',
  },
  {
    name: 'query: 4000 numbers',
    url: '/get_reward',
    body: JSON.stringify({ query: Array.from({ length: 4000 }, (_, i) => i) }),
    before: '400, one issue per entry',
  },
];

delete process.env.DEEPSEEK_API_KEY;
const run = await openRun({ command: 'serve', cwd: repoRoot });
const server = createServer({
  composer: run.composer,
  logger: run.logger,
  processMetrics: false,
  // Above every body here, so that each reaches validation instead of the 413 of serve.bodyLimit.
  options: { ...run.config.serve, bodyLimit: 64 * 1024 * 1024 },
});
console.log(
  `${os.cpus().length} CPUs (${os.cpus()[0]?.model}); load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| body | size | status | answer | time | RSS growth | before the fix (issue 17) |');
console.log('|---|---|---|---|---|---|---|');
try {
  for (const c of cases) {
    const rss = process.memoryUsage().rss;
    const start = performance.now();
    const res = await server.app.inject({
      method: 'POST',
      url: c.url,
      payload: c.body,
      headers: { 'content-type': 'application/json' },
    });
    const ms = performance.now() - start;
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    console.log(
      `| ${c.url} ${c.name} | ${(c.body.length / 1e6).toFixed(1)} MB | ${res.statusCode} | ${res.body.length} B | ` +
        `${ms.toFixed(0)} ms | ${grown.toFixed(0)} MiB | ${c.before} |`,
    );
  }
} finally {
  await server.close();
  await run.close();
}
console.log(
  `load after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
