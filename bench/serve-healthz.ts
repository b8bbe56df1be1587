/**
 * How long GET /healthz takes while `medrl serve` scores large bodies: `--bodies` concurrent POST
 * /get_reward requests of `--mib` MiB each (chat-template queries, long answers), scored by the
 * repository's default reward (four rule components and the mock judge), with `serve.threads` 0
 * (scoring in the server's thread) and 1 (a scoring thread). /healthz is polled every 50 ms from
 * when the bodies are sent until the last is answered. Prints the poll latencies and the time to
 * score everything, with the machine's load. The server runs from source in a child process on
 * 127.0.0.1 and stops by itself.
 *
 *   npx tsx bench/serve-healthz.ts [--bodies 8] [--mib 10] [--threads 0,1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(import.meta.dirname, '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1]!;
}

const bodies = Number(arg('bodies', '8'));
const mib = Number(arg('mib', '10'));
const threadCounts = arg('threads', '0,1').split(',').map(Number);

const PROMPT = '<|im_start|>user\n我突然胸痛，出冷汗，怎么办？<|im_end|>\n<|im_start|>assistant\n';
const ANSWER =
  '<think>需要先判断是否属于急症。</think>\n\n如果症状持续加重或出现呼吸困难，请立即就医或拨打120。以上信息仅供参考。 ';

/** One body of about `mib` MiB: 64 queries with long answers. */
function body(): string {
  const perQuery = Math.ceil((mib * 1024 * 1024) / 64 / Buffer.byteLength(ANSWER));
  const query = `${PROMPT}${ANSWER.repeat(perQuery)}<|im_end|>`;
  return JSON.stringify({ query: Array(64).fill(query), prompts: Array(64).fill(PROMPT) });
}

function project(threads: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medrl-healthz-'));
  const source = (p: string) => JSON.stringify(path.join(repoRoot, p));
  writeFileSync(
    path.join(dir, 'medrl.config.ts'),
    `import rules from ${source('plugins/rules/src/index.ts')};
import judgeMock from ${source('plugins/judge-mock/src/index.ts')};
export default {
  plugins: [rules(), judgeMock()],
  judge: { use: 'mock' },
  serve: { threads: ${threads}, bodyLimit: ${Math.ceil(mib * 1.1 * 1024 * 1024)}, requestTimeout: 1800000 },
};
`,
  );
  return dir;
}

async function waitForUrl(child: ReturnType<typeof spawn>): Promise<string> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(threads: number) {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(
    process.execPath,
    ['--import', tsx, path.join(repoRoot, 'test/serve/serve-cli.ts'), '--port', '0'],
    { cwd: project(threads), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MEDRL_LOG_LEVEL: 'info' } },
  );
  try {
    const url = await waitForUrl(child);
    const payload = body();
    const started = performance.now();
    let pending = bodies;
    const requests = Array.from({ length: bodies }, () =>
      fetch(`${url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload })
        .then((r) => r.status)
        .finally(() => (pending -= 1)),
    );
    const latencies: number[] = [];
    const slow: string[] = [];
    while (pending > 0) {
      const t = performance.now();
      await fetch(`${url}/healthz`);
      latencies.push(performance.now() - t);
      if (process.env.MEDRL_BENCH_TRACE && latencies.at(-1)! > 500)
        slow.push(`${((t - started) / 1000).toFixed(1)}s:${latencies.at(-1)!.toFixed(0)}ms(pending ${pending})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const statuses = await Promise.all(requests);
    // The server's own view: how long its event loop was blocked at most (prom-client's monitor).
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const lagMax = Number(/^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN) * 1000;
    const lagP99 = Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN) * 1000;
    if (slow.length > 0) console.log(`slow polls (threads ${threads}): ${slow.join(' ')}`);
    return {
      threads,
      polls: latencies.length,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: Math.max(...latencies),
      seconds: (performance.now() - started) / 1000,
      statuses: [...new Set(statuses)].join(','),
      lagP99,
      lagMax,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

console.log(
  `${bodies} concurrent bodies of ${mib} MiB; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}); load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('threads  polls  healthz p50 ms  p99 ms   max ms  scored in s  server loop lag p99 / max ms  statuses');
for (const threads of threadCounts) {
  const r = await measure(threads);
  console.log(
    `${String(r.threads).padStart(7)}  ${String(r.polls).padStart(5)}  ${r.p50.toFixed(1).padStart(14)}  ${r.p99
      .toFixed(1)
      .padStart(
        6,
      )}  ${r.max.toFixed(1).padStart(7)}  ${r.seconds.toFixed(1).padStart(11)}  ${`${r.lagP99.toFixed(0)} / ${r.lagMax.toFixed(0)}`.padStart(26)}  ${r.statuses}`,
  );
}
console.log(
  `load after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
