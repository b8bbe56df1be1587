// The main job, measured: what `npx medrl train` does on a fresh clone (prepare, prepare-rl, SFT of
// the tiny model, PPO with the rule rewards and the mock judge), run in a scratch copy of the
// repository's data/raw with the repository's medrl.config.ts (plus optional overrides, given as
// JSON in MEDRL_BENCH_OVERRIDES). Prints a table of stage timings and the figures of each stage.
//
//   npx tsx bench/train.ts
//   MEDRL_BENCH_OVERRIDES='{"ppo":{"steps":4}}' npx tsx bench/train.ts
import 'reflect-metadata';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRun } from '../core/runtime/src/runtime/run.js';
import { runTrain } from '../core/train/src/index.js';
import { ensureTrainingInputs } from '../core/cli/src/jobs/main-job.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = await mkdtemp(path.join(os.tmpdir(), 'medrl-main-job-'));
await cp(path.join(repo, 'data/raw'), path.join(scratch, 'data/raw'), { recursive: true });
const overrides = process.env.MEDRL_BENCH_OVERRIDES ? JSON.parse(process.env.MEDRL_BENCH_OVERRIDES) : {};

const t0 = performance.now();
const rssPeak = { value: 0 };
const sampler = setInterval(() => (rssPeak.value = Math.max(rssPeak.value, process.memoryUsage().rss)), 200);
const run = await openRun({
  command: 'train',
  configPath: path.join(repo, 'medrl.config.ts'),
  cwd: scratch,
  overrides: { ...overrides, output: { progress: 'log', ...(overrides.output ?? {}) } },
});
// The config's relative paths resolve from its directory; run the job in the scratch copy instead.
Object.assign(run, { rootDir: scratch });
const { stages } = await ensureTrainingInputs(run, run.config.ppo);
const summary = await runTrain(run, { algo: 'ppo' });
await run.close();
clearInterval(sampler);
const total = (performance.now() - t0) / 1000;

const rows: [string, string, string][] = stages.map((s) => [s.stage, s.seconds.toFixed(1), s.detail]);
rows.push([
  'ppo',
  summary.seconds.toFixed(1),
  `${summary.steps}/${summary.totalSteps} steps, reward ${summary.rewardFirst.toFixed(4)} -> ${summary.rewardLast.toFixed(4)}, KL ${summary.klLast.toFixed(4)}, ${summary.reason}`,
]);
rows.push(['total', total.toFixed(1), `peak RSS ${(rssPeak.value / 2 ** 20).toFixed(0)} MiB, budget 600 s`]);
console.log(
  `main job on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), load average ${os.loadavg()[0]!.toFixed(2)}, backend ${summary.backend}`,
);
console.log(`stage       seconds  figures`);
for (const [stage, seconds, detail] of rows) console.log(`${stage.padEnd(10)} ${seconds.padStart(8)}  ${detail}`);
console.log(`outputs in ${scratch}`);
