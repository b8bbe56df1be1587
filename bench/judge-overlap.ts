/**
 * What a slow judge costs a training step: the same short demo training (the repository's
 * medrl.config.ts: rules + judge, safety gate, the start model of the main job) with the offline mock judge and
 * with the DeepSeek judge plugin pointed at a local OpenAI-compatible server on 127.0.0.1 that
 * answers every request after 0.2 s, 1 s and 3 s — with `overlap_judging` off and on — all in one
 * process, so every ratio compares runs measured side by side on the same (shared) machine.
 *
 *   goal (1 s judge, demo configuration): overlap on <= 1.15 x the mock's step time, off <= 1.5 x
 *
 * The judge server runs in a child process: in this process its latency timers would wait for the
 * trainer's CPU-bound work and measure the event loop instead of the judge.
 * Prepare and the start model are set up once in --workdir (reused when it already holds them).
 * `--sizes small` (default) runs the sizes the README's figures were measured at (the demo of
 * f60aaa7: PPO 8 prompts x 48 new tokens; GRPO 1 prompt x 8 completions of 48 tokens);
 * `--sizes demo` runs the algorithm's section of medrl.config.ts as it is.
 *
 *   npx tsx bench/judge-overlap.ts [--steps 6] [--latencies 0.2,1,3] [--overlap off,on] [--algo ppo]
 *                                  [--rounds 1] [--threads 1] [--sizes small|demo] [--workdir DIR]
 *
 * One engine thread by default (as when the issue was measured): on a machine whose cores are
 * shared, a wasm thread pool waits for a descheduled thread at every op, and that noise swamped
 * the judge's second.
 *
 * What the one-step lag costs in learning (no judge, the learnable reward of the trainer tests:
 * the share of letters in the answer, tiny model, all weights): reward of the first and last 5
 * steps with overlap off and on, per seed.
 *
 *   npx tsx bench/judge-overlap.ts --learning [--algo grpo] [--seeds 4]
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { MedrlConfig } from '@medrl/sdk';
import checkpointHf from '@medrl/plugin-checkpoint-hf';
import judgeDeepseek from '@medrl/plugin-judge-deepseek';
import judgeMock from '@medrl/plugin-judge-mock';
import rules from '@medrl/plugin-rules';
import { openRun } from '../core/runtime/src/runtime/run.js';
import { runTrain } from '../core/train/src/index.js';
import { ensureTrainingInputs } from '../core/cli/src/jobs/main-job.js';
import demo from '../medrl.config.js';

const self = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(self), '..');
const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    steps: { type: 'string', default: '6' },
    latencies: { type: 'string', default: '0.2,1,3' },
    overlap: { type: 'string', default: 'off,on' },
    algo: { type: 'string', default: 'ppo' },
    rounds: { type: 'string', default: '1' },
    workdir: { type: 'string' },
    learning: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '4' },
    threads: { type: 'string', default: '1' },
    sizes: { type: 'string', default: 'small' },
  },
});

// The demo's sizes when the README's figures were measured (f60aaa7); GRPO at PPO's sizes.
const SMALL_SIZES = {
  ppo: { max_new_tokens: 48, max_prompt_length: 192, eval_steps: 8, save_steps: 10 },
  grpo: { max_completion_length: 48, max_prompt_length: 192, eval_steps: 8, save_steps: 10 },
};

// Child mode: the judge server, printing its URL on the first line of stdout.
if (values.serve !== undefined) {
  const { startFakeServer } = await import('../plugins/judge-deepseek/test/fake-server.js');
  const server = await startFakeServer({ latencyMs: Number(values.serve) * 1000, record: false });
  console.log(server.url);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
} else if (values.learning) {
  await learning();
} else {
  await main();
}

interface JudgeServer {
  url: string;
  child: ChildProcess;
}

async function startServer(latencyS: number): Promise<JudgeServer> {
  const child = spawn(process.execPath, [...process.execArgv, self, '--serve', String(latencyS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`judge server exited (${code})`)));
  });
  return { url: first.trim(), child };
}

interface Variant {
  judge: 'mock' | number;
  overlap: boolean | undefined;
}

interface Measured {
  variant: Variant;
  round: number;
  steps: number;
  /** Mean time/step of the steps without a safety-gate evaluation. */
  plainStep: number;
  /** Wall time of the whole training call (model load, baseline gate, steps, final gate and checkpoint) per step. */
  wallPerStep: number;
  generate: number;
  rewardWait: number;
  calls: number;
  load: number;
}

function label(v: Variant): string {
  const judge = v.judge === 'mock' ? 'mock judge' : `judge ${v.judge} s`;
  return `${judge}, overlap ${v.overlap === undefined ? 'default' : v.overlap ? 'on' : 'off'}`;
}

async function main(): Promise<void> {
  const algo = values.algo as 'ppo' | 'grpo';
  const steps = Number(values.steps);
  const latencies = values.latencies!.split(',').filter(Boolean).map(Number);
  const overlaps = values.overlap!.split(',').map((o) => (o === 'on' ? true : o === 'off' ? false : undefined));
  const workdir = values.workdir ?? (await mkdtemp(path.join(os.tmpdir(), 'medrl-judge-overlap-')));

  // Prepare + SFT once, exactly as the main job does.
  await mkdir(workdir, { recursive: true });
  await cp(path.join(repo, 'data/raw'), path.join(workdir, 'data/raw'), { recursive: true, force: false });
  const setupRun = await openRun({
    command: 'train',
    cwd: workdir,
    config: demo,
    overrides: { output: { progress: 'none' } },
  });
  const { stages } = await ensureTrainingInputs(setupRun, setupRun.config[algo]);
  await setupRun.close();
  for (const s of stages) console.log(`setup: ${s.stage} ${s.seconds.toFixed(1)} s (${s.detail})`);

  const servers = new Map<number, JudgeServer>();
  for (const latency of latencies) servers.set(latency, await startServer(latency));
  const variants: Variant[] = [];
  for (const overlap of overlaps) {
    variants.push({ judge: 'mock', overlap });
    for (const latency of latencies) variants.push({ judge: latency, overlap });
  }

  const results: Measured[] = [];
  try {
    // Not measured: the first training in a process also compiles the wasm kernels and starts the
    // thread pool, which made whichever variant ran first look slowest.
    const warm = await measure({ judge: 'mock', overlap: overlaps[0] }, servers, workdir, algo, 2);
    console.log(`  warm-up (mock, 2 steps, not counted)  step ${warm.plainStep.toFixed(2)} s`);
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const variant of variants) {
        results.push({ ...(await measure(variant, servers, workdir, algo, steps)), round });
        const r = results.at(-1)!;
        console.log(
          `  ${label(variant).padEnd(28)} step ${r.plainStep.toFixed(2)} s, wall/step ${r.wallPerStep.toFixed(2)} s (load ${r.load.toFixed(2)})`,
        );
      }
    }
  } finally {
    for (const { child } of servers.values()) child.stdin!.end();
  }
  printTable(results, algo, steps);
}

async function measure(
  variant: Variant,
  servers: Map<number, JudgeServer>,
  workdir: string,
  algo: 'ppo' | 'grpo',
  steps: number,
): Promise<Omit<Measured, 'round'>> {
  const server = variant.judge === 'mock' ? undefined : servers.get(variant.judge)!;
  const outputDir = `bench-out/${algo}-${variant.judge}-${String(variant.overlap)}`;
  const demoSection = values.sizes === 'demo' ? (demo[algo] ?? {}) : SMALL_SIZES[algo];
  const section = {
    ...demoSection,
    steps,
    ...(variant.overlap === undefined ? {} : { overlap_judging: variant.overlap }),
  };
  const config: MedrlConfig = {
    ...demo,
    plugins: [
      rules(),
      judgeMock(),
      // No cache: every run pays for its judgements, as a fresh run does.
      judgeDeepseek({ baseURL: server?.url, apiKey: 'sk-bench-local-server-0000', cache: false, timeoutMs: 60_000 }),
      checkpointHf(),
    ],
    judge: { ...demo.judge, use: variant.judge === 'mock' ? 'mock' : 'deepseek' },
    // engine.threads is in the config schema but not yet in the SDK's EngineConfig type.
    engine: {
      ...demo.engine,
      threads: values.threads === 'auto' ? 'auto' : Number(values.threads),
    } as MedrlConfig['engine'],
    [algo]: section,
    output: { ...demo.output, output_dir: outputDir, progress: 'none', overwrite_output_dir: true, report_to: [] },
  };
  const load = os.loadavg()[0]!;
  const run = await openRun({ command: 'train', cwd: workdir, config });
  let summary;
  try {
    summary = await runTrain(run, { algo });
  } finally {
    await run.close();
  }
  const judge = run.registry.judges.get('deepseek') as unknown as { stats(): Record<string, number> } | undefined;
  const lines = (await readFile(path.join(workdir, outputDir, 'metrics.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, number>)
    .filter((l) => l.step > 0);
  const plain = lines.filter((l) => !('safety/score' in l));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    variant,
    steps: summary.steps,
    plainStep: mean(plain.map((l) => l['time/step']!)),
    wallPerStep: summary.seconds / summary.steps,
    generate: mean(lines.map((l) => l['time/rollout/generate'] ?? Number.NaN)),
    rewardWait: mean(lines.map((l) => l['time/rollout/reward_wait'] ?? Number.NaN)),
    calls: variant.judge === 'mock' ? 0 : (judge?.stats().calls ?? Number.NaN),
    load,
  };
}

function printTable(results: Measured[], algo: string, steps: number): void {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const keyOf = (v: Variant) => `${v.judge}/${String(v.overlap)}`;
  const groups = new Map<string, Measured[]>();
  for (const r of results) groups.set(keyOf(r.variant), [...(groups.get(keyOf(r.variant)) ?? []), r]);
  // The reference: the mock judge with overlap off (today's semantics), measured in the same round,
  // so that a load change between rounds moves both sides of a ratio.
  const refKey = groups.has(keyOf({ judge: 'mock', overlap: false }))
    ? keyOf({ judge: 'mock', overlap: false })
    : keyOf(results[0]!.variant);
  const refOf = (r: Measured) => results.find((x) => x.round === r.round && keyOf(x.variant) === refKey)!;
  const ratio = (rs: Measured[], field: 'plainStep' | 'wallPerStep') =>
    median(rs.map((r) => r[field] / refOf(r)[field]));
  const rows = [
    ['variant', 'step s', 'x mock', 'wall/step s', 'x mock', 'generate s', 'reward wait s', 'judge calls', 'goal'],
  ];
  for (const [, rs] of groups) {
    const v = rs[0]!.variant;
    const stepRatio = ratio(rs, 'plainStep');
    const goal =
      v.judge === 1 && v.overlap === true
        ? `<= 1.15 x: ${stepRatio <= 1.15 ? 'ok' : 'MISSED'}`
        : v.judge === 1 && v.overlap === false
          ? `<= 1.5 x: ${stepRatio <= 1.5 ? 'ok' : 'MISSED'}`
          : '';
    rows.push([
      label(v),
      mean(rs.map((r) => r.plainStep)).toFixed(2),
      stepRatio.toFixed(2),
      mean(rs.map((r) => r.wallPerStep)).toFixed(2),
      ratio(rs, 'wallPerStep').toFixed(2),
      mean(rs.map((r) => r.generate)).toFixed(2),
      mean(rs.map((r) => r.rewardWait)).toFixed(2),
      String(rs[0]!.calls),
      goal,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(
    `\n${algo}, ${steps} steps per run, demo configuration at --sizes ${values.sizes}, engine threads ${values.threads}; machine ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average at the runs' starts ${Math.min(...results.map((r) => r.load)).toFixed(2)}-${Math.max(...results.map((r) => r.load)).toFixed(2)}`,
  );
  console.log(
    `step s = mean time/step of the steps without a safety-gate evaluation; wall/step = the whole training call / steps; x mock = median over ${new Set(results.map((r) => r.round)).size} round(s) of the ratio to the mock judge, overlap off, in the same round`,
  );
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
}

/** The learning tests' settings (test/train/ppo-grpo.test.ts), run with overlap off and on. */
async function learning(): Promise<void> {
  const { LEARNING_SETTINGS, openTinyRun, tinyProject } = await import('../test/train/helpers.js');
  const algo = values.algo as 'ppo' | 'grpo';
  const settings = LEARNING_SETTINGS[algo];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = [['seed', 'overlap', 'reward first 5', 'reward last 5', 'gain', 'seconds']];
  const gains: Record<string, number[]> = { off: [], on: [] };
  for (let seed = 0; seed < Number(values.seeds); seed++) {
    for (const overlap of [false, true]) {
      const setup = await tinyProject(seed);
      const run = await openTinyRun(setup, {
        model: { lora: { enabled: false } },
        [algo]: { ...settings, save_steps: null, seed, overlap_judging: overlap },
      });
      const summary = await runTrain(run, { algo });
      await run.close();
      const rewards = (await readFile(path.join(setup.root, 'out/metrics.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as Record<string, number>)['env/reward_mean']!);
      const first = mean(rewards.slice(0, 5));
      const last = mean(rewards.slice(-5));
      gains[overlap ? 'on' : 'off']!.push(last - first);
      rows.push([
        String(seed),
        overlap ? 'on' : 'off',
        first.toFixed(3),
        last.toFixed(3),
        (last - first).toFixed(3),
        summary.seconds.toFixed(1),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(
    `\n${algo}, learnable letters reward, tiny model, ${settings.steps} steps; load average ${os.loadavg()[0]!.toFixed(2)}`,
  );
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  console.log(`mean gain: off ${mean(gains.off!).toFixed(3)}, on ${mean(gains.on!).toFixed(3)}`);
}
