// Checkpoint directories: atomic writes (also under SIGKILL mid-write), trainer state round trip,
// recovery of interrupted replaces, and the JSONL run logs' resume truncation.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestContext, type CheckpointWriter } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import { recoverDirs, writeDirAtomic } from '../../core/train/src/atomic-dir.js';
import {
  listCheckpoints,
  loadCheckpoint,
  saveCheckpoint,
  type CheckpointState,
} from '../../core/train/src/checkpoint-state.js';
import { JsonlLog } from '../../core/train/src/run-log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = () => mkdtemp(path.join(tmpdir(), 'medrl-ckpt-'));

// The loop's fields and, as PPO writes it, the algorithm's own (kl_ctl).
function state(step: number): CheckpointState {
  return {
    format: 'medrl-trainer-state',
    version: 1,
    algo: 'ppo',
    step,
    total_steps: 10,
    seed: 3,
    rng: [11, 22, 33, 44],
    data: { epoch: 1, cursor: 2, order: [2, 0, 1], rng: [5, 6, 7, 8] },
    kl_ctl: { kind: 'adaptive', value: 0.21 },
    param_names: ['w'],
    optimizer_step: step,
  };
}

const fileWriter: CheckpointWriter = {
  name: 'file',
  async write(checkpoint, dir) {
    await writeFile(path.join(dir, 'weights.txt'), `step ${checkpoint.step}`);
  },
};

async function save(dir: string, step: number, writers = [{ value: fileWriter, plugin: 'p' }]) {
  await saveCheckpoint({
    dir,
    checkpoint: { kind: 'full', step, tensors: {}, config: {} },
    writers,
    context: createTestContext(),
    state: state(step),
    params: { w: { shape: [2], data: new Float32Array([step, -step]) } },
    optimizer: {
      step,
      m: { w: { shape: [2], data: new Float32Array([0.5, 0.25]) } },
      v: { w: { shape: [2], data: new Float32Array([1e-3, 2e-3]) } },
    },
  });
}

describe('checkpoint state', () => {
  it('round-trips the trainer state, weights and Adam moments', async () => {
    const root = await tmp();
    await save(path.join(root, 'step_4'), 4);
    const loaded = await loadCheckpoint(path.join(root, 'step_4'));
    expect(loaded.state).toEqual(state(4));
    expect([...loaded.params.w!.data]).toEqual([4, -4]);
    expect([...loaded.optimizer.m.w!.data]).toEqual([0.5, 0.25]);
    expect(loaded.optimizer.v.w!.data[1]).toBeCloseTo(2e-3, 9);
    expect(loaded.optimizer.step).toBe(4);
    expect(await readFile(path.join(root, 'step_4', 'weights.txt'), 'utf8')).toBe('step 4');
  });

  it('lists complete step_N checkpoints, highest first', async () => {
    const root = await tmp();
    await save(path.join(root, 'step_2'), 2);
    await save(path.join(root, 'step_10'), 10);
    await mkdir(path.join(root, 'step_99')); // no trainer state: not a checkpoint
    expect((await listCheckpoints(root)).map((c) => c.step)).toEqual([10, 2]);
  });

  it('a failing writer leaves no directory and names the plugin', async () => {
    const root = await tmp();
    const broken: CheckpointWriter = {
      name: 'broken',
      async write() {
        throw new Error('disk full');
      },
    };
    await expect(save(path.join(root, 'step_1'), 1, [{ value: broken, plugin: 'my-plugin' }])).rejects.toThrow(
      /my-plugin.*broken.*disk full/,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('a bad trainer state fails naming the directory', async () => {
    const root = await tmp();
    await mkdir(path.join(root, 'step_1'));
    await writeFile(path.join(root, 'step_1', 'trainer_state.json'), '{"format":"other"}');
    await expect(loadCheckpoint(path.join(root, 'step_1'))).rejects.toThrow(/step_1.*not a medrl trainer state/);
  });

  it('SIGKILL in the middle of a checkpoint write leaves the previous checkpoint intact', async () => {
    const root = await tmp();
    await save(path.join(root, 'step_1'), 1);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures', 'checkpoint-child.ts'), root, '2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('writing')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));

    const names = await readdir(root);
    expect(names).toContain('step_1');
    expect(names).not.toContain('step_2');
    expect(names.some((n) => n.startsWith('.step_2.tmp-'))).toBe(true);
    expect((await listCheckpoints(root)).map((c) => c.step)).toEqual([1]);
    const loaded = await loadCheckpoint(path.join(root, 'step_1'));
    expect([...loaded.params.w!.data]).toEqual([1, -1]);

    expect((await recoverDirs(root)).join()).toMatch(/removed incomplete \.step_2\.tmp-/);
    expect(await readdir(root)).toEqual(['step_1']);
  }, 30_000);
});

describe('atomic directories', () => {
  it('replaces an existing directory', async () => {
    const root = await tmp();
    const target = path.join(root, 'final_rl_model');
    await writeDirAtomic(target, (d) => writeFile(path.join(d, 'a'), '1'));
    await writeDirAtomic(target, (d) => writeFile(path.join(d, 'a'), '2'));
    expect(await readFile(path.join(target, 'a'), 'utf8')).toBe('2');
    expect(await readdir(root)).toEqual(['final_rl_model']);
  });

  it('restores a directory moved aside by an interrupted replace', async () => {
    const root = await tmp();
    const target = path.join(root, 'final_rl_model');
    await writeDirAtomic(target, (d) => writeFile(path.join(d, 'a'), 'old'));
    // The state a crash between the two renames leaves behind.
    await rename(target, path.join(root, '.final_rl_model.old-123-456'));
    await mkdir(path.join(root, '.final_rl_model.tmp-123-456'));
    const actions = await recoverDirs(root);
    expect(actions).toHaveLength(2);
    expect(await readFile(path.join(target, 'a'), 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['final_rl_model']);
  });
});

describe('JSONL run logs', () => {
  it('drops lines after the resumed step and torn lines', async () => {
    const root = await tmp();
    const log = new JsonlLog(path.join(root, 'metrics.jsonl'));
    await log.reset();
    await log.append([{ step: 1, a: 1 }, { step: 2 }, { step: 3 }]);
    await writeFile(log.file, (await readFile(log.file, 'utf8')) + '{"step": 4, "tor');
    await log.truncateAfter(2);
    expect(await log.read()).toEqual([{ step: 1, a: 1 }, { step: 2 }]);
    await log.append([{ step: 3, b: 2 }]);
    expect((await log.read()).map((r) => r.step)).toEqual([1, 2, 3]);
  });
});
