/**
 * `medrl prepare` throughput and memory: generates a JSONL file of N records (default 200,000) in a
 * temporary directory, in the three raw formats, built from clauses of the sample corpus so that
 * lengths and scripts are realistic and records are distinct, with 2% exact duplicates, 2% near
 * duplicates, 1% broken lines and a few PII strings mixed in. Prepare then runs in a child process so
 * that its peak RSS is its own, and the table prints records/s and peak RSS.
 *
 * Goals (issue #3): >= 20,000 records/s on this machine; peak RSS < 1 GB whatever the file size.
 *
 * Run: npx tsx bench/prepare.ts [--records 200000[,1000000,2000000]] [--keep]
 * Several sizes print one table each and the peak-RSS growth per kept record between the last two.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPrepare } from '../core/cli/src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

/** Child mode: run prepare on a directory and print its stats and peak RSS as JSON. */
async function runChild(input: string): Promise<void> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const stats = await runPrepare({ input, out: path.join(path.dirname(input), 'out') });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, peakRssMb, totals: stats.totals, splits: stats.splits }));
}

/** xorshift32: a seeded source for the generator (bench data only). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function clausePool(): { zh: string[]; en: string[] } {
  const zh = new Set<string>();
  const en = new Set<string>();
  for (const name of readdirSync(path.join(here, '../data/raw')).filter((n) => n.startsWith('medical_'))) {
    const text = readFileSync(path.join(here, '../data/raw', name), 'utf8').replace(/\\n|<\/?think>|[{}"[\]]/g, ' ');
    for (const clause of text.split(/[，。；：！？,;:!?.\n]/)) {
      const c = clause
        .replace(
          /\b(question|think|answer|instruction|input|output|messages|role|content|user|assistant|system)\b/g,
          '',
        )
        .trim();
      if (c.length < 6 || c.length > 60) continue;
      (/[\u4e00-\u9fff]/.test(c) ? zh : en).add(c);
    }
  }
  return { zh: [...zh], en: [...en] };
}

async function generate(file: string, n: number): Promise<number> {
  const random = rng(12345);
  const pool = clausePool();
  const pick = (list: string[], k: number, sep: string) =>
    Array.from({ length: k }, () => list[Math.floor(random() * list.length)]).join(sep);
  const out = createWriteStream(file);
  const recent: string[] = [];
  let buffer: string[] = [];
  for (let i = 0; i < n; i++) {
    const roll = random();
    let line: string;
    if (roll < 0.02 && recent.length > 0) {
      line = recent[Math.floor(random() * recent.length)]; // exact duplicate
    } else if (roll < 0.04 && recent.length > 0) {
      line = recent[Math.floor(random() * recent.length)].replace('"}', '谢谢。"}'); // near duplicate
    } else if (roll < 0.05) {
      line = `{"question": "第${i}条记录被截断`; // broken JSON
    } else {
      const en = random() < 0.15;
      const list = en ? pool.en : pool.zh;
      const sep = en ? ', ' : '，';
      const end = en ? '.' : '。';
      const pii = random() < 0.01 ? (en ? ' Call me at 415-555-0134.' : '电话13812345678。') : '';
      const question = pick(list, 2, sep) + (en ? '?' : '？') + pii;
      const think = pick(list, 4, sep) + end;
      const answer = pick(list, 3, sep) + end + '\n\n' + pick(list, 3, sep) + end;
      const format = i % 3;
      line =
        format === 0
          ? JSON.stringify({ question, think, answer })
          : format === 1
            ? JSON.stringify({ instruction: question, input: '', output: `<think>\n${think}\n</think>\n\n${answer}` })
            : JSON.stringify({
                messages: [
                  { role: 'user', content: question },
                  { role: 'assistant', content: `<think>\n${think}\n</think>\n\n${answer}` },
                ],
              });
      if (recent.length < 1000) recent.push(line);
      else recent[Math.floor(random() * 1000)] = line;
    }
    buffer.push(line);
    if (buffer.length >= 2000) {
      if (!out.write(buffer.join('\n') + '\n')) await once(out, 'drain');
      buffer = [];
    }
  }
  out.end(buffer.length ? buffer.join('\n') + '\n' : '');
  await once(out, 'finish');
  return statSync(file).size;
}

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  totals: { lines: number; kept: number; duplicates: { exact: number; near: number }; rejected: number };
}

/** Generates `n` records, runs prepare on them in a child process and returns its numbers. */
async function measure(n: number): Promise<{ child: ChildResult; bytes: number; genSeconds: number; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medrl-bench-prepare-'));
  const input = path.join(dir, 'raw');
  mkdirSync(input);
  const file = path.join(input, 'bench.jsonl');
  const genStart = performance.now();
  const bytes = await generate(file, n);
  const genSeconds = (performance.now() - genStart) / 1000;
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', input], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`prepare child exited with ${result.status}`);
  }
  return { child: JSON.parse(result.stdout) as ChildResult, bytes, genSeconds, dir };
}

const rate = (records: number, seconds: number) => Math.round(records / seconds).toLocaleString('en-US');

async function main(): Promise<void> {
  if (values.child) return runChild(values.child);
  const sizes = values.records.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`--records: positive integers, got ${values.records}`);
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  const measured: { n: number; kept: number; peakRssMb: number }[] = [];
  for (const n of sizes) {
    const { child, bytes, genSeconds, dir } = await measure(n);
    measured.push({ n, kept: child.totals.kept, peakRssMb: child.peakRssMb });
    const perSecond = child.totals.lines / child.seconds;
    const rows: [string, string, string][] = [
      ['records (lines)', String(child.totals.lines), ''],
      ['input size', `${(bytes / 2 ** 20).toFixed(1)} MiB`, `generated in ${genSeconds.toFixed(1)} s`],
      [
        'kept / exact / near / rejected',
        `${child.totals.kept} / ${child.totals.duplicates.exact} / ${child.totals.duplicates.near} / ${child.totals.rejected}`,
        '',
      ],
      [
        'prepare wall time',
        `${child.seconds.toFixed(2)} s`,
        `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
      ],
      ['prepare CPU time', `${child.cpuSeconds.toFixed(2)} s`, 'user + system of the prepare process'],
      [
        'throughput',
        `${rate(child.totals.lines, child.seconds)} records/s`,
        perSecond >= 20_000 ? 'goal >= 20,000: met' : 'goal >= 20,000: MISSED',
      ],
      [
        'throughput per CPU second',
        `${rate(child.totals.lines, child.cpuSeconds)} records/s`,
        'what one uncontended core would do',
      ],
      [
        'peak RSS (prepare child)',
        `${child.peakRssMb.toFixed(0)} MB`,
        child.peakRssMb < 1024 ? 'goal < 1 GB: met' : 'goal < 1 GB: MISSED',
      ],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    if (sizes.length > 1) console.log('');
    for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(22)}  ${note}`);
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (measured.length > 1) {
    const [a, b] = measured.slice(-2);
    const perRecord = ((b.peakRssMb - a.peakRssMb) * 2 ** 20) / (b.kept - a.kept);
    console.log(`\npeak RSS grows ${perRecord.toFixed(0)} bytes per kept record between ${a.n} and ${b.n} records`);
    // Only once the near-duplicate window (2^20 kept records) is full do just the per-record arrays grow.
    if (a.kept > 1 << 20) {
      const at10M = b.peakRssMb + (perRecord * (10_000_000 - b.kept)) / 2 ** 20;
      console.log(`straight line to 10M kept records: ${at10M.toFixed(0)} MB`);
    } else {
      console.log('(the near-duplicate window is not full yet; for the growth at scale use sizes over 1.1M)');
    }
  }
}

await main();
