// Optimizer, learning-rate schedules, the safety gate's decisions and the prompt reader.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW, clipGradNorm, learningRateAt } from '../../core/train/src/optimizer.js';
import { readPrompts, recordToPrompt } from '../../core/train/src/prompts.js';
import { SafetyGate, meanOf } from '../../core/train/src/safety-gate.js';
import { TrainRng } from '../../core/train/src/rng.js';

describe('AdamW', () => {
  it('matches torch.optim.Adam on two hand-computed steps, and restores its state exactly', () => {
    // step 1: m = 0.05, v = 2.5e-4, m^ = 0.5, v^ = 0.25 -> p = 1 - 0.1 * 0.5 / 0.5 = 0.9
    // step 2 (g = -1): m = -0.055, v = 1.24975e-3 -> p = 0.93661035
    const p = tf.variable(tf.scalar(1));
    const opt = new AdamW([{ name: 'p', variable: p }]);
    opt.step({ p: tf.scalar(0.5) }, 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.9, 6);
    const saved = opt.state();
    const q = tf.variable(p.clone());
    opt.step({ p: tf.scalar(-1) }, 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.93661035, 6);

    const restored = new AdamW([{ name: 'p', variable: q }]);
    restored.load(saved);
    restored.step({ p: tf.scalar(-1) }, 0.1);
    expect(q.dataSync()[0]).toBe(p.dataSync()[0]);
  });

  it('decays weights decoupled from the gradient (AdamW)', () => {
    const p = tf.variable(tf.scalar(1));
    new AdamW([{ name: 'p', variable: p }], { weightDecay: 0.1 }).step({ p: tf.scalar(0.5) }, 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(1 * (1 - 0.01) - 0.1, 6);
  });

  it('refuses a state of another shape, naming the parameter', () => {
    const opt = new AdamW([{ name: 'w', variable: tf.variable(tf.zeros([2])) }]);
    expect(() =>
      opt.load({
        step: 1,
        m: { w: { shape: [3], data: new Float32Array(3) } },
        v: { w: { shape: [3], data: new Float32Array(3) } },
      }),
    ).toThrow(/"w" has shape \[3\]/);
  });
});

describe('gradient clipping and schedules', () => {
  it('clips to the global norm as torch does', () => {
    const { grads, norm } = clipGradNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(grads.b!.dataSync()[0]).toBeCloseTo(0.8, 5);
    expect(clipGradNorm({ a: tf.tensor1d([0.3]) }, 1).grads.a!.dataSync()[0]).toBeCloseTo(0.3, 6);
  });

  it.each([
    { step: 0, kind: 'linear', want: 0 },
    { step: 1, kind: 'linear', want: 0.5 },
    { step: 2, kind: 'linear', want: 1 },
    { step: 6, kind: 'linear', want: 0.5 },
    { step: 10, kind: 'linear', want: 0 },
    { step: 4, kind: 'cosine', want: 0.853553 },
    { step: 6, kind: 'cosine', want: 0.5 },
    { step: 9, kind: 'constant', want: 1 },
  ] as const)('warmup 2 of 10, $kind at step $step = $want', ({ step, kind, want }) => {
    expect(learningRateAt(1, step, 10, 2, kind)).toBeCloseTo(want, 5);
  });
});

describe('safety gate', () => {
  it.each([
    { floor: null, max_drop: 0.2, scores: [0.8, 0.7, 0.55], trips: [false, false, true], why: /dropped 0\.2500/ },
    { floor: 0.6, max_drop: null, scores: [0.5, 0.61, 0.59], trips: [false, false, true], why: /below the floor 0\.6/ },
    { floor: null, max_drop: null, scores: [0.9, 0.0], trips: [false, false], why: undefined },
  ])('floor $floor, max_drop $max_drop over $scores', ({ floor, max_drop, scores, trips, why }) => {
    const gate = new SafetyGate({ floor, max_drop, score: 'rules/safety' });
    const verdicts = scores.map((s, i) => gate.evaluate(i * 10, s));
    expect(verdicts.map((v) => v.tripped)).toEqual(trips);
    const last = verdicts.at(-1)!;
    if (why) expect(last.reason).toMatch(why);
    expect(last.stats['safety/baseline']).toBe(scores[0]);
    expect(last.stats['safety/score']).toBe(scores.at(-1));
  });

  it('remembers the best evaluation and restores its state', () => {
    const gate = new SafetyGate({ floor: null, max_drop: 0.3, score: 'total' });
    gate.evaluate(0, 0.5);
    gate.evaluate(10, 0.7);
    gate.evaluate(20, 0.6);
    expect(gate.best).toEqual({ step: 10, score: 0.7 });
    const copy = new SafetyGate({ floor: null, max_drop: 0.3, score: 'total' });
    copy.restore(gate.state());
    expect(copy.evaluate(30, 0.1).tripped).toBe(true);
  });

  it('meanOf ignores missing values', () => {
    expect(meanOf([1, null, 3, undefined])).toBe(2);
    expect(meanOf([null])).toBeNaN();
  });
});

describe('training rng', () => {
  it('resumes from its state with the same draws', () => {
    const a = TrainRng.create(7, 'data');
    a.permutation(5);
    const b = TrainRng.fromState(a.state());
    expect(b.permutation(10)).toEqual(a.permutation(10));
    expect(TrainRng.create(7, 'data').permutation(6).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(TrainRng.create(7, 'data').seed()).not.toBe(TrainRng.create(7, 'other').seed());
  });
});

describe('prompt records', () => {
  it.each([
    { record: { id: 'a', prompt: 'chest pain?', meta: { risk_level: 'high' } }, prompt: 'chest pain?', id: 'a' },
    { record: { id: 7, instruction: 'Q', input: 'details' }, prompt: 'Q\n\ndetails', id: '7' },
    {
      record: {
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'u' },
          { role: 'assistant', content: 'x' },
        ],
      },
      prompt: 'u',
      id: 'fallback',
    },
  ])('$record', ({ record, prompt, id }) => {
    const p = recordToPrompt(record, 'fallback');
    expect(p.prompt).toBe(prompt);
    expect(p.id).toBe(id);
    expect(p.messages.every((m) => m.role !== 'assistant')).toBe(true);
  });

  it('names file and line of a bad record', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'medrl-prompts-'));
    const file = path.join(dir, 'p.jsonl');
    await writeFile(file, '{"prompt":"ok"}\n\n{"prompt":""}\n');
    await expect(readPrompts(file)).rejects.toThrow(/p\.jsonl:3: needs a non-empty "prompt"/);
    await writeFile(file, '{"prompt":"ok"}\n{oops\n');
    await expect(readPrompts(file)).rejects.toThrow(/p\.jsonl:2: invalid JSON/);
    await writeFile(file, '{"prompt":"ok"}\n');
    await expect(readPrompts(file, { requireOutput: true })).rejects.toThrow(/p\.jsonl:1: needs an "output"/);
  });
});
