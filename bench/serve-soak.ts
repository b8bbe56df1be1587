/**
 * Soak test of `medrl serve`: 60 s of POST /get_reward load (8-item batches, rules-only reward,
 * as bench/serve-load.ts) while the server's resident memory is sampled every second. Prints RSS
 * every 5 s and whether it stayed flat: after a 10 s warm-up, the mean RSS of the last 10 s may
 * exceed that of the first 10 s by at most 10 %, and the fitted slope stays under 5 MB/min.
 * Stops by itself; binds 127.0.0.1 only.
 *
 *   npx tsx bench/serve-soak.ts [--duration 60] [--connections 32] [--workers 1] [--rate 0]
 */
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { arg, machine, makeBodies, startServerChild } from './serve-load.js';

/**
 * Resident memory in MB of a process and its node descendants (cluster workers; not tsx's esbuild
 * helper), from /proc; undefined without /proc.
 */
function treeRssMb(rootPid: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+node/m.test(status)) continue;
      parent.set(Number(pid), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1));
      rss.set(Number(pid), Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0));
    } catch {
      // the process ended meanwhile
    }
  }
  if (!rss.has(rootPid)) return undefined;
  let kb = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    kb += rss.get(pid) ?? 0;
    for (const [child, ppid] of parent) if (ppid === pid) pending.push(child);
  }
  return kb / 1024;
}

/** The server's RSS from its own /metrics (process_resident_memory_bytes), where /proc is missing. */
async function metricsRssMb(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  return match ? Number(match[1]) / 2 ** 20 : undefined;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const duration = arg('duration', 60);
  const connections = arg('connections', 32);
  const workers = arg('workers', 1);
  const rate = arg('rate', 0);
  const bodies = makeBodies(64, 8);
  const server = await startServerChild(workers);
  const pid = server.child.pid!;

  const samples: { t: number; rssMb: number; requests: number }[] = [];
  let requests = 0;
  let errors = 0;
  try {
    const started = Date.now();
    let finished!: (result: autocannon.Result) => void;
    let failed!: (error: Error) => void;
    const done = new Promise<autocannon.Result>((resolve, reject) => {
      finished = resolve;
      failed = reject;
    });
    // The callback form returns the running instance, whose events count responses as they come.
    const instance = autocannon(
      {
        url: server.url,
        connections,
        duration,
        timeout: 30,
        ...(rate > 0 ? { overallRate: rate } : {}),
        requests: bodies.map((body) => ({
          method: 'POST' as const,
          path: '/get_reward',
          headers: { 'content-type': 'application/json' },
          body,
        })),
      },
      (error, result) => (error ? failed(error) : finished(result)),
    );
    instance.on('response', (_client, statusCode) => {
      requests += 1;
      if (statusCode !== 200) errors += 1;
    });
    const sampler = setInterval(() => {
      const t = (Date.now() - started) / 1000;
      const fromProc = treeRssMb(pid);
      const record = (rssMb: number | undefined): void => {
        if (rssMb !== undefined) samples.push({ t, rssMb, requests });
      };
      if (fromProc !== undefined) record(fromProc);
      else void metricsRssMb(server.url).then(record, () => undefined);
    }, 1000);
    const result = await done;
    clearInterval(sampler);
    errors += result.errors + result.timeouts;

    console.log(
      `medrl bench: serve soak, POST /get_reward, 8-item batches, rules-only reward, ${workers} server process(es), ` +
        `${connections} connections${rate > 0 ? `, ${rate} requests/s` : ', as fast as possible'}, ${duration} s`,
    );
    console.log(`machine: ${machine()}`);
    console.log('');
    console.log('| t s | RSS MB | requests/s in the last 5 s |');
    console.log('|---:|---:|---:|');
    let previous = { t: 0, requests: 0 };
    for (const sample of samples) {
      if (Math.round(sample.t) % 5 !== 0) continue;
      const perSecond = (sample.requests - previous.requests) / (sample.t - previous.t);
      console.log(
        `| ${sample.t.toFixed(0)} | ${sample.rssMb.toFixed(1)} | ${Math.round(perSecond).toLocaleString('en')} |`,
      );
      previous = sample;
    }
    console.log('');

    const steady = samples.filter((s) => s.t >= 10);
    if (steady.length < 20) {
      console.log(`too few samples after the 10 s warm-up (${steady.length}); run longer`);
      return;
    }
    const first = mean(steady.filter((s) => s.t < 20).map((s) => s.rssMb));
    const last = mean(steady.filter((s) => s.t >= duration - 10).map((s) => s.rssMb));
    const perMinute =
      slope(
        steady.map((s) => s.t),
        steady.map((s) => s.rssMb),
      ) * 60;
    const max = Math.max(...samples.map((s) => s.rssMb));
    const growth = (last - first) / first;
    const flat = growth <= 0.1 && perMinute < 5;
    console.log(
      `requests: ${result.requests.total.toLocaleString('en')} (${Math.round(result.requests.average).toLocaleString('en')}/s), ` +
        `errors: ${errors}`,
    );
    console.log(
      `RSS: ${first.toFixed(1)} MB (10-20 s) -> ${last.toFixed(1)} MB (last 10 s), ${(growth * 100).toFixed(1)} %, ` +
        `slope ${perMinute.toFixed(2)} MB/min, max ${max.toFixed(1)} MB`,
    );
    console.log(`flat RSS (<= 10 % growth, < 5 MB/min) and zero errors: ${flat && errors === 0 ? 'yes' : 'NO'}`);
  } finally {
    const code = await server.stop();
    if (code !== 0) console.log(`server exited with ${code}`);
  }
}

await main();
