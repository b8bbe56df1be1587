// Interrupts and runs through the real `medrl` binary (child processes, real signals), on a tiny
// project: Ctrl-C stops `medrl sft` after the current step with exit code 130 and a checkpoint that
// `--resume` completes to the weights of an uninterrupted run; an interrupted `medrl train` exits 130
// too; every new run moves the previous one to runs/<name> instead of deleting it; `--resume` on a
// finished run says so.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { medrlBin, runMedrl } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tmp.js';
import { TINY_SHAPE } from './helpers.js';

const WORDS = ['fever', 'cough', 'rash', 'pain', 'dizzy', 'tired'];

function project(): string {
  const records = Array.from({ length: 24 }, (_, i) =>
    JSON.stringify({
      id: `r${i}`,
      instruction: `what about ${WORDS[i % 6]} ${i}?`,
      input: '',
      output: `<think>${WORDS[(i + 1) % 6]}</think>see a doctor about ${WORDS[i % 6]}`,
      meta: { risk_level: i % 4 === 0 ? 'high' : 'low' },
    }),
  );
  const prompts = Array.from({ length: 16 }, (_, i) =>
    JSON.stringify({ id: `p${i}`, prompt: `what about ${WORDS[i % 6]}?` }),
  );
  return writeTree(tempDir('medrl-interrupt-'), {
    'medrl.config.json': JSON.stringify({
      plugins: ['@medrl/plugin-rules', '@medrl/plugin-checkpoint-hf'],
      reward: { components: [{ use: 'rules/length', weight: 1 }], clip: null },
      model: {
        from_scratch: true,
        tiny: { ...TINY_SHAPE, tokenizer: 'characters' },
      },
      sft: {
        num_train_epochs: 5,
        per_device_train_batch_size: 2,
        learning_rate: 5e-3,
        max_length: 64,
        logging_steps: 5,
      },
      ppo: {
        prompts_path: 'data/prompts.jsonl',
        steps: 8,
        batch_size: 2,
        mini_batch_size: 2,
        max_new_tokens: 4,
        save_steps: 1000,
        safety_gate: { enabled: false },
      },
      output: { progress: 'log' }, // report_to: the default TensorBoard logger, loaded by the real binary
    }),
    'data/processed/train.jsonl': records.join('\n') + '\n',
    'data/processed/dev.jsonl': records.slice(0, 4).join('\n') + '\n',
    'data/prompts.jsonl': prompts.join('\n') + '\n',
  });
}

/**
 * Starts `medrl <args>`, sends `signal` once stderr matches `when`, and resolves with the exit
 * code, the output and the seconds from the signal to the exit.
 */
function interrupt(
  cwd: string,
  args: string[],
  when: RegExp,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<{ code: number | null; stdout: string; stderr: string; secondsToExit: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [medrlBin, ...args], {
      cwd,
      env: { ...process.env, MEDRL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sentAt: number | undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (sentAt === undefined && when.test(stderr)) {
        sentAt = performance.now();
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({
        code,
        stdout,
        stderr,
        secondsToExit: sentAt === undefined ? Number.NaN : (performance.now() - sentAt) / 1000,
      });
    });
  });
}

const sftRows = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

describe('interrupts and runs (medrl CLI)', () => {
  it('sft: Ctrl-C stops within seconds with 130, --resume ends with the uninterrupted weights, both runs are kept', async () => {
    const dir = project();
    const lora = path.join(dir, 'models/lora');

    const whole = runMedrl(['sft', '--run-name', 'whole'], { cwd: dir });
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/sft \(full\) finished after 60\/60 steps .*\(run "whole"\)/);
    expect(whole.stdout).toMatch(/train loss [\d.]+ \(mean of the first 10 steps\) -> [\d.]+ \(mean of the last 10\)/);

    const stopped = await interrupt(dir, ['sft', '--run-name', 'parts'], /sft step 10\/60/);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.secondsToExit).toBeLessThan(10);
    expect(stopped.stderr).toMatch(/SIGINT: stopping after the current step/);
    expect(stopped.stderr.trim().split('\n').at(-1)).toMatch(
      /^interrupted after step (\d+)\/60; continue with: medrl sft --resume$/,
    );
    const stoppedAt = Number(/interrupted after step (\d+)\/60/.exec(stopped.stderr)![1]);
    // Stopped after the step in progress, not at the next metrics row (step 15): the loop yields to
    // the event loop every step, so the signal is seen even on steps that write nothing.
    expect(stoppedAt).toBeGreaterThanOrEqual(10);
    expect(stoppedAt).toBeLessThan(15);
    // The earlier, finished run moved to runs/whole; the seed path holds the new run only.
    expect(readdirSync(path.join(lora, 'runs'))).toEqual(['whole']);
    expect(existsSync(path.join(lora, 'runs/whole/final_lora/model.safetensors'))).toBe(true);
    expect(existsSync(path.join(lora, 'final_lora'))).toBe(false);
    expect(readdirSync(path.join(lora, 'checkpoints'))).toEqual([`step_${stoppedAt}`]);
    expect(JSON.parse(readFileSync(path.join(lora, 'run.json'), 'utf8'))).toMatchObject({
      name: 'parts',
      status: 'interrupted',
      step: stoppedAt,
    });

    const resumed = runMedrl(['sft', '--resume'], { cwd: dir });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`finished after 60/60 steps .*run "parts", resumed from step ${stoppedAt}`),
    );
    const weights = (root: string) => readFileSync(path.join(root, 'final_lora/model.safetensors'));
    expect(weights(lora).equals(weights(path.join(lora, 'runs/whole')))).toBe(true);
    // The metrics agree row by row, each step once.
    expect(sftRows(path.join(lora, 'sft_metrics.jsonl'))).toEqual(
      sftRows(path.join(lora, 'runs/whole/sft_metrics.jsonl')),
    );

    const again = runMedrl(['sft', '--resume'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /--resume: the run "parts" in .* already finished after 60\/60 steps; nothing to resume/,
    );
  }, 240_000);

  it('train: Ctrl-C exits 130 with a checkpoint, --resume finishes, a new run keeps the earlier one', async () => {
    const dir = project();
    const sft = runMedrl(['sft', '--epochs', '1'], { cwd: dir });
    expect(sft.status, sft.stderr).toBe(0);
    const rl = path.join(dir, 'models/rl');

    const stopped = await interrupt(dir, ['train', '--no-auto-prepare', '--run-name', 'first'], /ppo step 3\/8/);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.secondsToExit).toBeLessThan(10);
    const at = Number(
      /interrupted after step (\d+)\/8; continue with: medrl train --resume$/m.exec(stopped.stderr)![1],
    );
    expect(readdirSync(path.join(rl, 'checkpoints'))).toEqual([`step_${at}`]);

    const nothing = runMedrl(['train', '--resume', '--output-dir', 'models/elsewhere'], { cwd: dir });
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toMatch(/--resume: nothing to resume in .*models\/elsewhere/);

    const resumed = runMedrl(['train', '--resume'], { cwd: dir });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`ppo finished after 8/8 steps .*resumed from step ${at}`));
    const finished = runMedrl(['train', '--resume'], { cwd: dir });
    expect(finished.status).toBe(0);
    expect(finished.stderr).toMatch(/the run "first" .* already finished after 8\/8 steps/);

    // Two runs in a row: the second moves the first to runs/first, nothing is deleted.
    const second = runMedrl(['train', '--no-auto-prepare', '--steps', '2', '--run-name', 'second'], { cwd: dir });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/moved the earlier run "first" \(finished, step 8\/8\) to .*runs\/first/);
    expect(readdirSync(path.join(rl, 'runs'))).toEqual(['first']);
    expect(readdirSync(path.join(rl, 'runs/first/checkpoints')).sort()).toEqual(['final_rl_model', `step_${at}`]);
    expect(sftRows(path.join(rl, 'runs/first/metrics.jsonl'))).toHaveLength(8);
    expect(sftRows(path.join(rl, 'metrics.jsonl'))).toHaveLength(2);
    expect(readdirSync(path.join(rl, 'checkpoints'))).toEqual(['final_rl_model']);
    // Each run's TensorBoard files moved with it.
    for (const tb of [path.join(rl, 'runs/first/tensorboard'), path.join(rl, 'tensorboard')]) {
      expect(readdirSync(tb).some((n) => n.startsWith('events.out.tfevents.'))).toBe(true);
    }
  }, 240_000);
});
