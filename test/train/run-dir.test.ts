// Runs in an output directory: an earlier run moves to runs/<its name> (a taken name gets -2), a run
// from before run.json is named by its files' time, --overwrite-output-dir deletes instead, names
// are checked, --resume finds a finished run, a checkpoint or nothing, and save_total_limit keeps
// the newest checkpoints plus the ones asked for.
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotateCheckpoints } from '../../core/src/train/checkpoint-state.js';
import {
  RunRecord,
  checkRunName,
  clearForNewRun,
  defaultRunName,
  listRuns,
  resumeTarget,
} from '../../core/src/train/run-dir.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('runs in an output directory', () => {
  it('moves the earlier run to runs/<name>, and a second run of that name to <name>-2', async () => {
    const dir = tempDir();
    await new RunRecord(dir, 'baseline', 'ppo', 4).write(4, 'finished');
    writeTree(dir, { 'metrics.jsonl': '{"step":1}\n', 'checkpoints/final_rl_model/x': '1', 'notes.txt': 'mine' });
    const first = await clearForNewRun(dir, 'rl', { overwrite: false, logger: quiet });
    expect(first).toMatchObject({
      dir: path.join(dir, 'runs/baseline'),
      info: { name: 'baseline', status: 'finished' },
    });
    expect(readdirSync(path.join(dir, 'runs/baseline')).sort()).toEqual(['checkpoints', 'metrics.jsonl', 'run.json']);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'runs']); // only the run's own files move

    await new RunRecord(dir, 'baseline', 'ppo', 4).write(2, 'interrupted');
    writeTree(dir, { 'metrics.jsonl': '{"step":1}\n' });
    expect((await clearForNewRun(dir, 'rl', { overwrite: false, logger: quiet }))?.dir).toBe(
      path.join(dir, 'runs/baseline-2'),
    );
    expect((await listRuns(dir)).map((r) => [r.name, r.info?.status])).toEqual([
      ['baseline', 'finished'],
      ['baseline-2', 'interrupted'],
    ]);
    expect(await clearForNewRun(dir, 'rl', { overwrite: false, logger: quiet })).toBeUndefined();
  });

  it('names a run from before run.json by the time of its files; --overwrite-output-dir deletes instead', async () => {
    const dir = writeTree(tempDir(), { 'sft_metrics.jsonl': '{"step":10}\n', 'final_lora/config.json': '{}' });
    const when = new Date(2026, 4, 7, 14, 3, 59);
    for (const f of ['sft_metrics.jsonl', 'final_lora']) utimesSync(path.join(dir, f), when, when);
    expect((await clearForNewRun(dir, 'sft', { overwrite: false, logger: quiet }))?.dir).toBe(
      path.join(dir, 'runs/2026-05-07_14-03-59'),
    );
    writeTree(dir, { 'sft_metrics.jsonl': '{"step":10}\n' });
    expect(await clearForNewRun(dir, 'sft', { overwrite: true, logger: quiet })).toEqual({ info: undefined });
    expect(existsSync(path.join(dir, 'sft_metrics.jsonl'))).toBe(false);
    expect(readdirSync(path.join(dir, 'runs'))).toEqual(['2026-05-07_14-03-59']);
  });

  it.each(['lr-1e-5', 'run_2', '实验一', 'v1.2'])('accepts the run name %s', (name) => {
    expect(checkRunName(name)).toBe(name);
  });

  it.each(['../x', 'a/b', '.hidden', '-x', ''])('rejects the run name "%s", naming the flag', (name) => {
    expect(() => checkRunName(name)).toThrow(/--run-name \/ output\.run_name/);
  });

  it('default names sort by time', () => {
    expect(defaultRunName(new Date(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02_03-04-05');
  });

  it('--resume: finished, the latest checkpoint, or an error when there is none', async () => {
    const dir = tempDir();
    const final = path.join(dir, 'checkpoints/final_rl_model');
    const ckpts = [{ dir: path.join(dir, 'checkpoints/step_4') }, { dir: path.join(dir, 'checkpoints/step_2') }];
    await expect(resumeTarget(dir, final, [], true, 'medrl train')).rejects.toThrow(
      /--resume: nothing to resume in .* \(no step_N checkpoint\); start a new run with `medrl train`/,
    );
    expect(await resumeTarget(dir, final, [], 'auto', 'medrl sft')).toEqual({ finished: false, info: undefined });
    await new RunRecord(dir, 'a', 'ppo', 8).write(4, 'interrupted');
    expect(await resumeTarget(dir, final, ckpts, true, 'medrl train')).toMatchObject({
      finished: false,
      dir: ckpts[0]!.dir,
    });
    expect(await resumeTarget(dir, final, ckpts, false, 'medrl train')).not.toHaveProperty('dir');
    await new RunRecord(dir, 'a', 'ppo', 8).write(8, 'finished');
    expect(await resumeTarget(dir, final, ckpts, true, 'medrl train')).toMatchObject({
      finished: true,
      info: { step: 8 },
    });
    expect(await resumeTarget(dir, final, ckpts, 'auto', 'medrl train')).not.toHaveProperty('dir');
  });

  it('save_total_limit keeps the newest checkpoints and the ones asked for', async () => {
    const dir = tempDir();
    for (const step of [1, 2, 3, 4, 5]) writeTree(dir, { [`step_${step}/trainer_state.json`]: '{}' });
    const removed = await rotateCheckpoints(dir, 2, [1]);
    expect(removed.map((d) => path.basename(d))).toEqual(['step_4', 'step_3', 'step_2']);
    expect(readdirSync(dir).sort()).toEqual(['step_1', 'step_5']);
    expect(await rotateCheckpoints(dir, null)).toEqual([]);
  });
});
