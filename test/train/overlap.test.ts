// Judging beside generation and training: with `overlap_judging` off a run is what it was before
// rows were streamed to the judge (fingerprints recorded on 6e809d7), whatever order the calls
// finish in; rows are judged as each finishes; with it on, each batch is one update older.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../core/src/train/index.js';
import { GOLDEN_CONFIGS, fingerprint, type RunFingerprint } from './golden.js';
import { openTinyRun, tinyProject } from './helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('overlap_judging off', () => {
  it.each(['ppo', 'grpo'] as const)(
    '%s: the run is bit-identical to the one recorded before row streaming',
    async (algo) => {
      const golden = JSON.parse(readFileSync(path.join(fixtures, `golden-${algo}.json`), 'utf8')) as RunFingerprint;
      const setup = await tinyProject(3);
      const config = GOLDEN_CONFIGS[algo];
      const run = await openTinyRun(setup, { ...config, [algo]: { ...config[algo], overlap_judging: false } });
      const summary = await runTrain(run, { algo });
      await run.close();
      const got = await fingerprint(setup.root, summary.reason);
      expect(got.reason).toBe(golden.reason);
      expect(got.rollouts).toEqual(golden.rollouts);
      expect(got.steps).toEqual(golden.steps);
      expect(got.params).toEqual(golden.params);
    },
    60_000,
  );
});
