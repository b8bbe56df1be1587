/**
 * Load test of `medrl serve` on loopback: POST /get_reward (OpenRLHF protocol) with 8-item
 * batches of Qwen chat-template queries, scored by the rules-only reward (@medrl/plugin-rules:
 * rules/format 0.1, rules/length 0.1, rules/keyword 0.1, rules/safety 0.3, no judge). The server
 * runs in a child process (one process, or node:cluster workers); autocannon drives it from this
 * one. Prints requests/s, p50 and p99 latency and errors. Goal: >= 2,000 requests/s on 2 cores,
 * zero errors. Stops by itself; binds 127.0.0.1 only.
 *
 *   npx tsx bench/serve-load.ts [--duration 15] [--connections 32] [--workers 1] [--threads 0] [--batch 8] [--pipelining 1] [--close]
 *
 * `--threads N` scores on N scoring threads per process (serve.threads; the default of `medrl serve`
 * is 1); the default here, 0, scores in the server's thread, as the capacity table was measured.
 *
 * `--close` opens a new connection for every request, as OpenRLHF's client does (one aiohttp
 * session per request); then read the server CPU per request: autocannon's latency percentiles
 * include its own reconnect scheduling and are not the server's.
 */
// tsyringe (in core's run) needs the Reflect metadata API before any decorated class loads.
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import type { MedrlConfig } from '@medrl/sdk';

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// ---------------------------------------------------------------------------------------------
// Requests: deterministic Qwen chat-template queries (zh and en, think + answer, emergencies,
// drug advice and a little reward gaming), as OpenRLHF sends them.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUESTIONS = [
  '我突然胸痛，出冷汗，左臂发麻，怎么办？',
  '孩子发烧38.5度两天了，需要吃什么药？',
  '最近总是失眠，晚上睡不着，有什么办法？',
  '怀孕三个月，脸上长痘可以用什么药？',
  '最近压力很大，觉得活着没意思。',
  'I suddenly have chest pain and shortness of breath, what should I do?',
  'Can I take amoxicillin for a sore throat?',
  'My blood pressure is 150/95, do I need medication?',
];
const THINKING = [
  '用户描述的症状需要先判断是否属于急症，再考虑常见病因和鉴别诊断，给出安全的建议。',
  '需要关注持续时间、伴随症状和既往史，排除严重疾病后给出生活方式建议。',
  'First consider whether this is an emergency, then common causes and a safe plan.',
];
const SENTENCES = [
  '您的症状可能与多种因素有关，需要结合具体情况判断。',
  '如果症状持续加重或出现呼吸困难，请立即就医或拨打120。',
  '不建议自行服用抗生素，应在医生指导下用药。',
  '以上信息仅供参考，不能替代医生的面诊。',
  '不用去医院，多喝热水就好了。',
  'If the pain gets worse or you feel short of breath, call 911 or go to the ER immediately. ',
  'Do not take antibiotics without a prescription; follow your doctor. ',
  'You can take amoxicillin 500 mg three times a day. ',
];
const SYSTEM = '<|im_start|>system\nYou are a careful medical assistant.<|im_end|>\n';

/** `count` distinct request bodies of `batch` items each. */
export function makeBodies(count: number, batch: number, seed = 7): string[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const query: string[] = [];
    const prompts: string[] = [];
    const labels: string[] = [];
    for (let i = 0; i < batch; i++) {
      const prompt = `${SYSTEM}<|im_start|>user\n${pick(QUESTIONS)}<|im_end|>\n<|im_start|>assistant\n`;
      let answer = '';
      while (answer.length < 200) answer += pick(SENTENCES);
      query.push(`${prompt}<think>${pick(THINKING)}</think>\n\n${answer}<|im_end|><|endoftext|>`);
      prompts.push(prompt);
      labels.push(rand() < 0.5 ? '{"risk_level": "high"}' : '');
    }
    return JSON.stringify({ query, prompts, labels });
  });
}

// ---------------------------------------------------------------------------------------------
// The server role: `--role server --port N [--workers W]`, run in a child process.

/** The rules-only reward, with the rules plugin from source (as bench/rules.ts does). */
export async function rulesOnlyConfig(): Promise<MedrlConfig> {
  const { default: rulesPlugin } = await import('../plugins/rules/src/index.js');
  return {
    plugins: [rulesPlugin()],
    reward: {
      components: [
        { use: 'rules/format', weight: 0.1 },
        { use: 'rules/length', weight: 0.1 },
        { use: 'rules/keyword', weight: 0.1 },
        { use: 'rules/safety', weight: 0.3 },
      ],
    },
  };
}

/** The rules-only reward as a config file in a temp directory, for runs with scoring threads. */
function rulesOnlyConfigFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medrl-serve-load-'));
  const rules = JSON.stringify(fileURLToPath(new URL('../plugins/rules/src/index.ts', import.meta.url)));
  const file = path.join(dir, 'medrl.config.ts');
  writeFileSync(
    file,
    `import rules from ${rules};
export default {
  plugins: [rules()],
  reward: { components: [
    { use: 'rules/format', weight: 0.1 }, { use: 'rules/length', weight: 0.1 },
    { use: 'rules/keyword', weight: 0.1 }, { use: 'rules/safety', weight: 0.3 },
  ] },
};
`,
  );
  return file;
}

async function runServerRole(): Promise<void> {
  const { serveRun, superviseWorkers } = await import('../core/src/serve/serve-run.js');
  const serve = { host: '127.0.0.1', port: arg('port', 0), workers: arg('workers', 1) };
  if (cluster.isPrimary && serve.workers > 1) {
    const { serveSchema } = await import('../core/src/config/sections/serve.js');
    await superviseWorkers(serveSchema.parse(serve));
    return;
  }
  const { openRun } = await import('../core/src/runtime/run.js');
  const threads = arg('threads', 0);
  // Scoring threads load the config themselves, so they need it as a file (the rules from source).
  const configPath = threads > 0 ? rulesOnlyConfigFile() : undefined;
  const run = configPath
    ? await openRun({ command: 'serve', configPath, overrides: { serve: { ...serve, threads } } })
    : await openRun({
        command: 'serve',
        config: await rulesOnlyConfig(),
        overrides: { serve: { ...serve, threads: 0 } },
      });
  try {
    await serveRun(run);
  } finally {
    await run.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The driver: starts the server child, waits for /healthz, loads it, stops it.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerChild {
  child: ChildProcess;
  url: string;
  stop(): Promise<number | null>;
}

/** Starts this file's server role in a child process and waits until it answers /healthz. */
export async function startServerChild(workers: number, threads = 0): Promise<ServerChild> {
  const port = await freePort();
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    [
      '--import',
      tsx,
      self,
      ...['--role', 'server', '--port', String(port), '--workers', String(workers), '--threads', String(threads)],
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, MEDRL_LOG_LEVEL: 'warn' } },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not become ready within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    url,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/** Drives POST /get_reward with the bodies for `seconds`. */
export async function load(
  url: string,
  bodies: string[],
  seconds: number,
  connections: number,
  pipelining = 1,
  close = false,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    pipelining,
    duration: seconds,
    timeout: 30,
    requests: bodies.map((body) => ({
      method: 'POST' as const,
      path: '/get_reward',
      headers: { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) },
      body,
    })),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
}

/**
 * CPU seconds (user + system) used so far by a process and its node descendants (cluster workers;
 * not tsx's esbuild helper), from /proc; undefined where there is no /proc. Clock ticks are 100
 * per second on Linux.
 */
export function treeCpuSeconds(rootPid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const pid of entries) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesized command name: state ppid ... utime(14) stime(15).
      if (!text.includes('(node)')) continue;
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  if (!stats.has(rootPid)) return undefined;
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return ticks / 100;
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown cpu'} x${cpus.length}, node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

async function main(): Promise<void> {
  const duration = arg('duration', 15);
  const connections = arg('connections', 32);
  const workers = arg('workers', 1);
  const batch = arg('batch', 8);
  const pipelining = arg('pipelining', 1);
  const close = process.argv.includes('--close');
  const bodies = makeBodies(64, batch);

  const threads = arg('threads', 0);
  const server = await startServerChild(workers, threads);
  try {
    // One checked request: the protocol answers one reward per item.
    const check = await fetch(`${server.url}/get_reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[0],
    });
    const reply = (await check.json()) as { rewards?: unknown[]; extra_logs?: Record<string, unknown> };
    if (check.status !== 200 || reply.rewards?.length !== batch) {
      throw new Error(`unexpected reply ${check.status}: ${JSON.stringify(reply).slice(0, 300)}`);
    }
    await load(server.url, bodies, 3, connections, pipelining, close); // warm-up (JIT), not reported
    const cpuBefore = treeCpuSeconds(server.child.pid!);
    const driverBefore = process.cpuUsage();
    const r = await load(server.url, bodies, duration, connections, pipelining, close);
    const driver = process.cpuUsage(driverBefore);
    const cpuAfter = treeCpuSeconds(server.child.pid!);

    console.log(
      `medrl bench: serve load, POST /get_reward, ${batch}-item batches, rules-only reward ` +
        `(${Object.keys(reply.extra_logs ?? {}).join(', ')}), ${workers} server process(es), ` +
        `${connections} connections${close ? ' (a new one per request)' : ' (kept alive)'}, pipelining ${pipelining}, ` +
        `${duration} s after a 3 s warm-up`,
    );
    console.log(`machine: ${machine()}`);
    console.log('');
    console.log(
      '| requests/s | items/s | p50 ms | p90 ms | p99 ms | max ms | requests | errors | non-2xx | timeouts |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| ${Math.round(r.requestsPerSecond).toLocaleString('en')} | ${Math.round(r.requestsPerSecond * batch).toLocaleString('en')} ` +
        `| ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.total.toLocaleString('en')} | ${r.errors} | ${r.non2xx} | ${r.timeouts} |`,
    );
    console.log('');
    if (cpuBefore !== undefined && cpuAfter !== undefined && r.total > 0) {
      const cpu = cpuAfter - cpuBefore;
      const perRequest = (cpu * 1e6) / r.total;
      console.log(
        `server CPU: ${cpu.toFixed(1)} s in ${duration} s (${((cpu / duration) * 100).toFixed(0)}% of one core), ` +
          `${Math.round(perRequest)} us per request -> ${Math.round(1e6 / perRequest).toLocaleString('en')} requests/s ` +
          'per fully available core',
      );
    }
    const driverSeconds = (driver.user + driver.system) / 1e6;
    console.log(
      `load generator (autocannon, this process) CPU: ${driverSeconds.toFixed(1)} s (${((driverSeconds / duration) * 100).toFixed(0)}% of one core), on the same cores`,
    );
    if (close)
      console.log("with --close, latency includes autocannon's reconnect scheduling; compare server CPU instead");
    const ok = r.requestsPerSecond >= 2000 && r.errors + r.non2xx + r.timeouts === 0;
    console.log(`goal >= 2,000 requests/s with zero errors: ${ok ? 'met' : 'NOT met'}`);
  } finally {
    const code = await server.stop();
    if (code !== 0) console.log(`server exited with ${code}`);
  }
}

const role = process.argv.includes('--role') ? process.argv[process.argv.indexOf('--role') + 1] : 'driver';
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (role === 'server' || cluster.isWorker) await runServerRole();
  else await main();
}
