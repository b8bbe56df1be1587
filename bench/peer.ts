/**
 * medrl next to PyTorch in one run: the same Qwen3 shapes, training step and cached generation,
 * at the same thread count, for every medrl backend that is installed (wasm always; native
 * TensorFlow after `npm run native:local` or a normal @tensorflow/tfjs-node install).
 *
 * medrl's figures come from bench/engine.ts (its child processes), PyTorch's from
 * tools/torch_peer.py. For more than one thread the peer runs twice, with torch.set_num_threads(n)
 * and with 1 torch thread and n BLAS threads (OPENBLAS_NUM_THREADS / MKL_NUM_THREADS: Debian's
 * OpenBLAS torch is fastest that way), and keeps the faster of each figure.
 *
 * Goals (issue #15): native TensorFlow training at the 0.6B shape >= 0.8x PyTorch, wasm >= 0.5x.
 *
 * Run: npx tsx bench/peer.ts [--full] [--threads 1,2] [--new-tokens 32] [--python python3] [--json]
 *      (--full adds the Qwen3-0.6B shape; without Python or torch it prints why and exits 0)
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QWEN3_0_6B } from '../core/src/engine/qwen3/config.js';
import { tinyQwen3Config } from '../core/src/engine/tiny.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1,2' },
    'new-tokens': { type: 'string', default: '32' },
    python: { type: 'string', default: process.env.PYTHON ?? 'python3' },
    json: { type: 'boolean', default: false },
  },
});

const here = path.dirname(fileURLToPath(import.meta.url));
const peerScript = path.join(here, '..', 'tools', 'torch_peer.py');
const engineBench = path.join(here, 'engine.ts');
const newTokens = values['new-tokens']!;

type Row = Record<string, number | string | null>;

/** Case key -> config and the step bench/engine.ts times for it. */
const CASES = {
  tiny: { config: tinyQwen3Config(4096), rows: 8, tokens: 128, lora: false, batchNewTokens: newTokens },
  'qwen3-0.6b': { config: QWEN3_0_6B, rows: 1, tokens: 128, lora: true, batchNewTokens: '32' },
} as const;

function pythonTorch(): string | undefined {
  const probe = spawnSync(values.python!, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

async function nativeInstalled(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return true;
  } catch {
    return false;
  }
}

/** tools/torch_peer.py once, with its JSON line parsed. */
function runPeer(key: keyof typeof CASES, threads: number, blasThreads: number): Row {
  const spec = CASES[key];
  const env = { ...process.env };
  if (blasThreads > 0) {
    env.OPENBLAS_NUM_THREADS = String(blasThreads);
    env.MKL_NUM_THREADS = String(blasThreads);
  }
  const child = spawnSync(
    values.python!,
    [
      peerScript,
      '--config',
      JSON.stringify(spec.config),
      '--threads',
      String(threads),
      '--train-rows',
      String(spec.rows),
      '--train-tokens',
      String(spec.tokens),
      ...(spec.lora ? ['--lora'] : []),
      '--new-tokens',
      newTokens,
      '--batch-new-tokens',
      spec.batchNewTokens,
    ],
    { encoding: 'utf8', env, maxBuffer: 16 << 20 },
  );
  if (child.status !== 0) throw new Error(`torch_peer.py failed (exit ${child.status}): ${child.stderr.slice(-500)}`);
  return { ...(JSON.parse(child.stdout.trim().split('\n').pop()!) as Row), loadBefore: loadavg()[0]! };
}

/** The faster of each figure over the peer's thread settings, naming the setting that gave it. */
function bestPeer(key: keyof typeof CASES, threads: number): Row {
  const variants =
    threads === 1
      ? [[1, 0]]
      : [
          [threads, 0],
          [1, threads],
        ];
  const runs = variants.map(([t, b]) => ({
    setting: b ? `torch 1, BLAS ${b}` : `torch ${t}`,
    row: runPeer(key, t!, b!),
  }));
  const best: Row = { ...runs[0]!.row };
  for (const metric of ['trainTokS', 'genCacheTokS', 'genBatch8TokS']) {
    const winner = runs.reduce((a, b) => (Number(b.row[metric]) > Number(a.row[metric]) ? b : a));
    best[metric] = winner.row[metric]!;
    best[`${metric}Setting`] = winner.setting;
  }
  best.peakRssGb = Math.max(...runs.map((r) => Number(r.row.peakRssGb)));
  return best;
}

/** bench/engine.ts --json for one case and thread count, all backends. */
function runMedrl(full: boolean, threads: number, backends: string[]): Row[] {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      engineBench,
      ...(full ? ['--full'] : []),
      '--backend',
      backends.join(','),
      '--threads',
      String(threads),
      '--new-tokens',
      newTokens,
      '--json',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  if (child.status !== 0) throw new Error(`bench/engine.ts failed (exit ${child.status})`);
  return (JSON.parse(child.stdout) as { rows: Row[] }).rows;
}

const torchVersion = pythonTorch();
if (!torchVersion) {
  console.log(`bench/peer.ts: skipped: ${values.python} with torch is not available (pip install torch)`);
  process.exit(0);
}
const backends = ['wasm', ...((await nativeInstalled()) ? ['tensorflow'] : [])];
const threadList = values.threads!.split(',').map(Number);
const keys: (keyof typeof CASES)[] = values.full ? ['tiny', 'qwen3-0.6b'] : ['tiny'];
const results: { case: string; threads: number; backend: string; medrl: Row; torch: Row; ratio: Row }[] = [];
for (const threads of threadList) {
  process.stderr.write(`medrl, ${threads} thread(s), ${backends.join(' + ')} ...\n`);
  const medrl = runMedrl(values.full!, threads, backends);
  for (const key of keys) {
    process.stderr.write(`PyTorch ${torchVersion}, ${key}, ${threads} thread(s) ...\n`);
    const torch = bestPeer(key, threads);
    for (const row of medrl.filter((r) => r.key === key)) {
      const ratio = (metric: string) =>
        typeof row[metric] === 'number' && typeof torch[metric] === 'number'
          ? (row[metric] as number) / (torch[metric] as number)
          : null;
      results.push({
        case: key,
        threads,
        backend: String(row.backend),
        medrl: row,
        torch,
        ratio: { train: ratio('trainTokS'), generate: ratio('genCacheTokS'), generateBatch8: ratio('genBatch8TokS') },
      });
    }
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, torch ${torchVersion}`;
if (values.json) {
  console.log(JSON.stringify({ machine, results }, null, 2));
} else {
  const fmt = (v: unknown) => (typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) : String(v ?? '-'));
  console.log(`machine: ${machine}`);
  console.log(
    ['case', 'threads', 'backend', 'train tok/s medrl / torch (x)', 'gen 1 row', 'gen 8 rows', 'load', 'torch setting']
      .map((h) => h.padEnd(14))
      .join(' '),
  );
  for (const r of results) {
    const cell = (metric: string, ratio: unknown) =>
      `${fmt(r.medrl[metric])} / ${fmt(r.torch[metric])} (${fmt(ratio)}x)`;
    console.log(
      [
        r.case,
        String(r.threads),
        r.backend,
        cell('trainTokS', r.ratio.train),
        cell('genCacheTokS', r.ratio.generate),
        cell('genBatch8TokS', r.ratio.generateBatch8),
        `${fmt(r.medrl.loadBefore)} / ${fmt(r.torch.loadBefore)}`,
        String(r.torch.trainTokSSetting),
      ]
        .map((c) => c.padEnd(14))
        .join(' '),
    );
  }
}
