/**
 * CLI start-up: wall time of `medrl --version`, `medrl help` and a command's `--help`, each run as
 * a fresh process (what a user waits for), next to two peers measured in the same run: bare
 * `node -e 0` (the floor) and `--version` through oclif (what the fast path in core/bin/run.js
 * saves). Goal: `medrl --version` under 0.3 s. Run after `npm run build`.
 *   npx tsx bench/cli-startup.ts [--runs 15]
 * Runs interleave the cases so that load from other jobs spreads evenly over them.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(args.runs);
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'core/bin/run.js');
const core = path.join(root, 'core');

const oclifVersion = `
  const { readFileSync } = await import('node:fs');
  const pjson = JSON.parse(readFileSync(${JSON.stringify(path.join(core, 'package.json'))}, 'utf8'));
  const { execute } = await import('@oclif/core');
  await execute({ args: ['--version'], loadOptions: { root: ${JSON.stringify(core)}, pjson: { ...pjson, name: 'medrl' } } });`;

const cases: [string, string[]][] = [
  ['node -e 0 (floor)', ['-e', '0']],
  ['medrl --version', [bin, '--version']],
  ['--version through oclif (peer)', ['--input-type=module', '-e', oclifVersion]],
  ['medrl help', [bin, 'help']],
  ['medrl train --help', [bin, 'train', '--help']],
];

const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const load = loadavg()[0]!;
for (let i = 0; i < runs; i++) {
  for (const [name, argv] of cases) {
    const start = performance.now();
    const result = spawnSync(process.execPath, argv, { cwd: core, encoding: 'utf8' });
    const seconds = (performance.now() - start) / 1000;
    if (result.status !== 0) throw new Error(`${name} failed (${result.status}): ${result.stderr}`);
    times.get(name)!.push(seconds);
  }
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const floor = quantile(times.get(cases[0]![0])!, 0.5);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model}), node ${process.version}, ${runs} runs each`);
console.log(`load average ${load.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after\n`);
console.log(
  `${'case'.padEnd(32)} ${'min s'.padStart(7)} ${'median s'.padStart(9)} ${'p90 s'.padStart(7)}  median - floor`,
);
for (const [name] of cases) {
  const xs = times.get(name)!;
  const median = quantile(xs, 0.5);
  console.log(
    `${name.padEnd(32)} ${Math.min(...xs)
      .toFixed(3)
      .padStart(
        7,
      )} ${median.toFixed(3).padStart(9)} ${quantile(xs, 0.9).toFixed(3).padStart(7)}  ${(median - floor).toFixed(3)}`,
  );
}
const version = quantile(times.get('medrl --version')!, 0.5);
console.log(`\nmedrl --version median ${version.toFixed(3)} s: ${version < 0.3 ? 'meets' : 'misses'} the 0.3 s goal`);
