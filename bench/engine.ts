/**
 * Engine performance: generation tokens/s with and without the KV cache, training tokens/s
 * (forward + backward), achieved FLOP/s as a fraction of the backend's measured matmul peak, and
 * peak RSS, for the embedded tiny configuration and (with --full) a Qwen3-0.6B-shaped model with
 * random weights. Each configuration runs in its own child process so that peak RSS is its own.
 *
 * Goals (issue #6): cache >= 10x faster than recomputation at 256 new tokens; training >= 50% of the
 * matmul peak on the 0.6B shape; a LoRA PPO step on the 0.6B shape within 8 GB RSS.
 *
 * Goals (issue #15): wasm on 2 threads over 1, training >= 1.7x (tiny and 0.6B shape) and batched
 * generation >= 1.6x.
 *
 * Run: npx tsx bench/engine.ts [--full] [--backend wasm[,tensorflow]] [--threads 1,2] [--repeat N]
 *        [--json] [--wait-idle 0.9] [--new-tokens 256] [--train-tokens N] [--checkpointing] [--skip-gen]
 *      (--full adds the 0.6B shape: several minutes and ~5 GB RAM; --backend and --threads take
 *      lists, every combination runs (default: wasm on every core); --repeat runs each combination
 *      N times, interleaved, and keeps each one's fastest run; --json prints one JSON object whose
 *      `speedup` maps each case to { train, generate }: tok/s of the most threads over 1 thread
 *      (generate = the 8-row batch); --wait-idle f waits before each run for a moment when at
 *      least f of the machine is idle (up to 10 minutes); --train-tokens sets the 0.6B training batch's tokens, default
 *      128; --checkpointing adds the training step with gradient checkpointing (forward option
 *      recompute): its time and the peak tensor bytes above the weights during forward + backward,
 *      with and without it)
 *
 * Every child process records the machine's idle share over the second before it starts (from
 * /proc/stat; the machine may be shared) and the load average, printed next to its figures.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, measureMatmulPeak, type BackendChoice } from '../core/src/engine/backend.js';
import { generate } from '../core/src/engine/generate.js';
import { tokenLogprobs } from '../core/src/engine/logprobs.js';
import { LoraAdapters } from '../core/src/engine/lora.js';
import { QWEN3_0_6B, qwen3MatmulParams, type Qwen3Config } from '../core/src/engine/qwen3/config.js';
import { Qwen3Model } from '../core/src/engine/qwen3/model.js';
import { tinyQwen3Config } from '../core/src/engine/tiny.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    'skip-gen': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: 'auto' },
    repeat: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    'wait-idle': { type: 'string' },
    'new-tokens': { type: 'string', default: '256' },
    'train-tokens': { type: 'string', default: '128' },
    checkpointing: { type: 'boolean', default: false },
    case: { type: 'string' },
  },
});
const newTokens = Number(values['new-tokens']);

interface CaseSpec {
  name: string;
  config: Qwen3Config;
  /** Training batch: rows x tokens. */
  train: { batch: number; tokens: number; lora: boolean };
  /** New tokens for the no-cache comparison (the 0.6B shape recomputes too slowly for 256). */
  noCacheTokens: number;
  /** New tokens per row of the 8-row batched generation. */
  batchTokens: number;
  ppoStep: boolean;
}

const CASES: Record<string, CaseSpec> = {
  tiny: {
    name: 'tiny (vocab 4096)',
    config: tinyQwen3Config(4096),
    train: { batch: 8, tokens: 128, lora: false },
    noCacheTokens: newTokens,
    batchTokens: newTokens,
    ppoStep: false,
  },
  'qwen3-0.6b': {
    name: 'Qwen3-0.6B shape',
    config: QWEN3_0_6B,
    // Next to 2.4 GB of fp32 weights in wasm's 4 GB heap, 1 x 128 tokens peak at ~0.9 GB of
    // activations and logits (measured); 256 do not fit without gradient checkpointing.
    train: { batch: 1, tokens: Number(values['train-tokens']), lora: true },
    noCacheTokens: 32,
    batchTokens: 32,
    ppoStep: true,
  },
};

/** Matmul FLOPs of one forward pass over `tokens` tokens each attending to `context` keys on average. */
function forwardFlops(config: Qwen3Config, tokens: number, context: number): number {
  const attention = 2 * 2 * config.num_attention_heads * config.head_dim * context * config.num_hidden_layers;
  return tokens * (2 * qwen3MatmulParams(config) + attention);
}

const peakRssGb = () => process.resourceUsage().maxRSS / 1024 / 1024;
const progress = (message: string) =>
  process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Language-model inputs and targets (the same rows shifted by one token), int32. */
function nextTokenPairs(rows: number[][]): { input: tf.Tensor2D; target: tf.Tensor2D } {
  return {
    input: tf.tensor2d(
      rows.map((r) => r.slice(0, -1)),
      undefined,
      'int32',
    ),
    target: tf.tensor2d(
      rows.map((r) => r.slice(1)),
      undefined,
      'int32',
    ),
  };
}

/** A tokenizer stand-in: prompts are given as ids and nothing stops early. */
const idTokenizer = { encode: () => [], decode: () => '', eosTokenIds: [], padTokenId: 0 };

async function runCase(key: string): Promise<Record<string, number | string>> {
  const spec = CASES[key]!;
  const threads = values.threads === 'auto' ? 'auto' : Number(values.threads);
  const info = await initBackend({ backend: values.backend as BackendChoice, threads });
  const peak = await measureMatmulPeak();
  const row: Record<string, number | string> = {
    case: spec.name,
    key,
    backend: info.backend,
    threads: info.threads,
    peakGflops: peak / 1e9,
  };
  const t = performance.now();
  const model = Qwen3Model.random(spec.config, { seed: 1 });
  row.initS = (performance.now() - t) / 1000;
  progress(`${spec.name}: ${model.numParams} parameters initialized in ${(row.initS as number).toFixed(1)} s`);
  row.params = model.numParams;
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37) % spec.config.vocab_size);

  try {
    await measurePhases(spec, model, row, prompt, peak);
  } catch (error) {
    // wasm aborts (e.g. its 4 GB heap is exhausted) leave the backend unusable: report and stop.
    row.error = (error as Error).message.split('\n')[0]!.slice(0, 160);
    progress(`stopped: ${row.error}`);
    const frames = ((error as Error).stack ?? '').split('\n').slice(1, 12);
    for (const frame of frames) if (!frame.includes('var Module')) progress(frame.trim().slice(0, 160));
  }
  return row;
}

async function measurePhases(
  spec: CaseSpec,
  model: Qwen3Model,
  row: Record<string, number | string>,
  prompt: number[],
  peak: number,
): Promise<void> {
  if (!values['skip-gen']) await measureGeneration(spec, model, row, prompt);
  await measureTraining(spec, model, row, prompt, peak);
}

async function measureGeneration(
  spec: CaseSpec,
  model: Qwen3Model,
  row: Record<string, number | string>,
  prompt: number[],
): Promise<void> {
  let t: number;
  // Generation, batch 1, with and without the cache.
  await generate(model, idTokenizer, [prompt], { maxNewTokens: 2, temperature: 0 }); // warm-up
  t = performance.now();
  await generate(model, idTokenizer, [prompt], { maxNewTokens: newTokens, temperature: 0 });
  const cachedS = (performance.now() - t) / 1000;
  progress(`generated ${newTokens} tokens with the cache in ${cachedS.toFixed(1)} s`);
  row.genCacheTokS = newTokens / cachedS;
  t = performance.now();
  await generate(model, idTokenizer, [prompt], { maxNewTokens: spec.noCacheTokens, temperature: 0, useCache: false });
  const uncachedS = (performance.now() - t) / 1000;
  progress(`generated ${spec.noCacheTokens} tokens without the cache in ${uncachedS.toFixed(1)} s`);
  row.genNoCacheTokS = spec.noCacheTokens / uncachedS;
  // Recomputation cost grows with the sequence: when fewer tokens were recomputed, extrapolate the
  // no-cache time to newTokens by the ratio of processed tokens (sum of sequence lengths).
  const processed = (n: number) => n * prompt.length + (n * (n + 1)) / 2;
  row.cacheSpeedup = (uncachedS * (processed(newTokens) / processed(spec.noCacheTokens))) / cachedS;
  // Rollouts are generated in batches (train.ppo.batch_size prompts per chunk): 8 rows at once.
  const rows8 = Array.from({ length: 8 }, (_, b) => prompt.map((id) => (id + b * 11) % spec.config.vocab_size));
  t = performance.now();
  await generate(model, idTokenizer, rows8, { maxNewTokens: spec.batchTokens, temperature: 0 });
  const batchS = (performance.now() - t) / 1000;
  progress(`generated 8 x ${spec.batchTokens} tokens with the cache in ${batchS.toFixed(1)} s`);
  row.genBatch8TokS = (8 * spec.batchTokens) / batchS;
  row.rssAfterGenGb = peakRssGb();
}

async function measureTraining(
  spec: CaseSpec,
  model: Qwen3Model,
  row: Record<string, number | string>,
  prompt: number[],
  peak: number,
): Promise<void> {
  let t: number;

  // Training: forward + backward (+ Adam) on random tokens.
  const { batch, tokens, lora } = spec.train;
  const adapters = lora
    ? LoraAdapters.attach(model, {
        r: 16,
        alpha: 32,
        dropout: 0,
        targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
      })
    : undefined;
  const variables = adapters ? adapters.variables() : model.trainableVariables();
  const optimizer = tf.train.adam(1e-4);
  const rows = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: tokens + 1 }, (_, i) => (b * 131 + i * 29) % spec.config.vocab_size),
  );
  const { input, target } = nextTokenPairs(rows);
  const step = (recompute = false) => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.neg(tf.mean(tokenLogprobs(model.forward(input, { training: true, recompute }).logits, target))) as tf.Scalar,
      variables,
    );
    optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
    value.dataSync();
    tf.dispose([value, grads]);
  };
  step(); // warm-up
  const steps = lora ? 2 : 5;
  t = performance.now();
  for (let i = 0; i < steps; i++) step();
  const trainS = (performance.now() - t) / 1000 / steps;
  progress(`training step (${batch} x ${tokens} tokens${lora ? ', LoRA' : ''}) in ${trainS.toFixed(1)} s`);
  // Full training: forward + input grads + weight grads = 3 forward passes; LoRA skips the base weight grads = 2.
  const trainFlops = (lora ? 2 : 3) * forwardFlops(spec.config, batch * tokens, tokens / 2);
  row.trainBatch = `${batch} x ${tokens}${lora ? ' LoRA' : ''}`;
  row.trainTokS = (batch * tokens) / trainS;
  row.trainGflops = trainFlops / trainS / 1e9;
  row.trainOfPeak = trainFlops / trainS / peak;
  row.rssAfterTrainGb = peakRssGb();

  if (values.checkpointing) {
    // Peak tensor bytes above what lives before the step (weights, optimizer state), one profiled
    // step each way; profiling slows kernels, so the time comes from separate unprofiled steps.
    for (const recompute of [false, true]) {
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => step(recompute));
      row[recompute ? 'trainPeakMbRecompute' : 'trainPeakMb'] = (info.peakBytes - before) / 2 ** 20;
    }
    t = performance.now();
    for (let i = 0; i < steps; i++) step(true);
    row.trainTokSRecompute = (batch * tokens) / ((performance.now() - t) / 1000 / steps);
    progress(
      `gradient checkpointing: peak ${(row.trainPeakMb as number).toFixed(0)} -> ${(row.trainPeakMbRecompute as number).toFixed(0)} MB`,
    );
  }

  if (spec.ppoStep && adapters) {
    // A LoRA PPO step's model work: a rollout (16 prompt + 48 new tokens, cached), reference
    // logprobs (adapters off, no grad), policy logprobs + value-head hidden state with grads,
    // backward, Adam.
    t = performance.now();
    const rollouts = await generate(model, idTokenizer, [prompt], { maxNewTokens: 48, temperature: 1, seed: 1 });
    const seqs = rollouts.map((r) => [...r.promptIds, ...r.tokenIds]);
    const { input: ppoInput, target: ppoTarget } = nextTokenPairs(seqs);
    const ref = tf.tidy(() => tokenLogprobs(model.forward(ppoInput, { adapters: false }).logits, ppoTarget));
    // tfjs optimizers key their moments by position in the gradient map: one optimizer per variable list.
    const ppoOptimizer = tf.train.adam(1e-4);
    const valueHead = tf.variable(tf.zeros([spec.config.hidden_size, 1]));
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(ppoInput, { returnHidden: true, training: true });
      const logp = tokenLogprobs(out.logits, ppoTarget);
      const values2 = tf.matMul(out.hidden!.reshape([-1, spec.config.hidden_size]), valueHead);
      return tf.add(tf.mean(tf.square(tf.sub(logp, ref))), tf.mean(tf.square(values2))) as tf.Scalar;
    }, [...variables, valueHead]);
    ppoOptimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
    value.dataSync();
    tf.dispose([value, grads, ref, ppoInput, ppoTarget, valueHead]);
    row.ppoStepS = (performance.now() - t) / 1000;
    progress(`LoRA PPO step in ${(row.ppoStepS as number).toFixed(1)} s`);
    row.rssAfterPpoGb = peakRssGb();
  }
  tf.dispose([input, target]);
}

/** The machine's idle share (0-1) over `ms`, from /proc/stat; undefined where there is none. */
function idleShare(ms = 1000): number | undefined {
  const read = () => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      return { idle: fields[3]! + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
    } catch {
      return undefined;
    }
  };
  const a = read();
  if (!a) return undefined;
  const until = Date.now() + ms;
  while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, until - Date.now());
  const b = read()!;
  return b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : undefined;
}

type Row = Record<string, number | string>;

/**
 * The idle share before a run: with --wait-idle f, waits (up to 10 minutes) for a 2-second window
 * in which at least f of the machine was idle, so that thread counts compete with nothing else.
 */
function idleBeforeRun(): number | undefined {
  const wanted = values['wait-idle'] === undefined ? undefined : Number(values['wait-idle']);
  if (wanted === undefined) return idleShare();
  const until = Date.now() + 10 * 60_000;
  let idle = idleShare(2000);
  while (idle !== undefined && idle < wanted && Date.now() < until) idle = idleShare(2000);
  return idle;
}

function runChild(key: string, backend: string, threads: string): Row {
  const self = fileURLToPath(import.meta.url);
  const idle = idleBeforeRun();
  const load = loadavg()[0]!;
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      self,
      '--case',
      key,
      '--backend',
      backend,
      '--threads',
      threads,
      '--new-tokens',
      String(newTokens),
      '--train-tokens',
      values['train-tokens']!,
      ...(values['skip-gen'] ? ['--skip-gen'] : []),
      ...(values.checkpointing ? ['--checkpointing'] : []),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  // Emscripten prints its whole minified source line on an abort; keep stderr readable.
  for (const line of child.stderr.split('\n')) if (line.trim()) process.stderr.write(`${line.slice(0, 200)}\n`);
  if (child.status !== 0)
    throw new Error(`bench case ${key} (${backend}, ${threads} threads) failed (exit ${child.status})`);
  const row = JSON.parse(child.stdout.trim().split('\n').pop()!) as Row;
  if (idle !== undefined) row.idleBefore = idle;
  row.loadBefore = load;
  return row;
}

/** Keeps, per case, backend and thread count, the run with the most training tok/s. */
function fastest(rows: Row[]): Row[] {
  const best = new Map<string, Row>();
  for (const row of rows) {
    const id = `${row.key}/${row.backend}/${row.threads}`;
    const seen = best.get(id);
    if (!seen || Number(row.trainTokS ?? 0) > Number(seen.trainTokS ?? 0)) best.set(id, row);
  }
  return [...best.values()];
}

/** Per case (and backend): tok/s of the most threads over 1 thread, for training and batched generation. */
function speedups(rows: Row[]): Record<string, { train?: number; generate?: number; threads: number }> {
  const out: Record<string, { train?: number; generate?: number; threads: number }> = {};
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const id = backends.length > 1 ? `${row.key}/${row.backend}` : String(row.key);
    groups.set(id, [...(groups.get(id) ?? []), row]);
  }
  for (const [id, group] of groups) {
    const one = group.find((r) => r.threads === 1);
    const most = group.reduce((a, b) => (Number(b.threads) > Number(a.threads) ? b : a));
    if (!one || most === one) continue;
    const ratio = (k: string) =>
      typeof most[k] === 'number' && typeof one[k] === 'number' ? (most[k] as number) / (one[k] as number) : undefined;
    out[id] = { train: ratio('trainTokS'), generate: ratio('genBatch8TokS'), threads: Number(most.threads) };
  }
  return out;
}

const backends = values.backend!.split(',').map((b) => b.trim());

if (values.case) {
  const row = await runCase(values.case);
  process.stdout.write(JSON.stringify(row) + '\n');
} else {
  const cases = values.full ? ['tiny', 'qwen3-0.6b'] : ['tiny'];
  const threadList = values.threads!.split(',').map((t) => t.trim());
  const repeat = Math.max(1, Number(values.repeat));
  const all: Row[] = [];
  for (const key of cases) {
    for (let r = 0; r < repeat; r++) {
      for (const backend of backends) {
        for (const threads of threadList) {
          process.stderr.write(
            `running ${key} on ${backend}, ${threads} thread(s)${repeat > 1 ? `, run ${r + 1}/${repeat}` : ''} ...\n`,
          );
          all.push(runChild(key, backend, threads));
        }
      }
    }
  }
  const rows = fastest(all);
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;
  if (values.json) {
    console.log(JSON.stringify({ machine, rows, runs: all.length, speedup: speedups(rows) }, null, 2));
  } else {
    const fmt = (v: number | string | undefined) =>
      v === undefined ? '-' : typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : v;
    const columns: [string, string][] = [
      ['case', 'case'],
      ['backend', 'backend'],
      ['threads', 'threads'],
      ['idleBefore', 'machine idle before (0-1)'],
      ['loadBefore', 'load average (1 min)'],
      ['params', 'params'],
      ['peakGflops', 'matmul peak GFLOP/s'],
      ['genCacheTokS', `gen tok/s cache (${newTokens})`],
      ['genNoCacheTokS', 'gen tok/s no cache'],
      ['cacheSpeedup', `cache speedup @${newTokens}`],
      ['genBatch8TokS', 'gen tok/s cache, 8 rows'],
      ['trainBatch', 'train batch (rows x tokens)'],
      ['trainTokS', 'train tok/s'],
      ['trainGflops', 'train GFLOP/s'],
      ['trainOfPeak', 'train / peak'],
      ['trainPeakMb', 'train peak tensor MB'],
      ['trainPeakMbRecompute', 'same, checkpointing'],
      ['trainTokSRecompute', 'train tok/s, checkpointing'],
      ['ppoStepS', 'LoRA PPO step s'],
      ['rssAfterTrainGb', 'peak RSS GB (train)'],
      ['rssAfterPpoGb', 'peak RSS GB (PPO)'],
      ['error', 'stopped by'],
    ];
    console.log(`machine: ${machine}`);
    for (const row of rows) {
      console.log('');
      for (const [key, label] of columns) console.log(`${label.padEnd(28)} ${fmt(row[key])}`);
    }
    const ratios = speedups(rows);
    if (Object.keys(ratios).length > 0) {
      console.log('');
      for (const [id, r] of Object.entries(ratios)) {
        console.log(
          `${id}: ${r.threads} threads over 1: training ${fmt(r.train)}x, batched generation ${fmt(r.generate)}x`,
        );
      }
    }
  }
}
