// SFT: the target inside the chat template, the assistant-only loss mask, a loss that falls on a
// tiny model trained from scratch, and a final_lora that `medrl train` starts from.
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRun } from '../../core/src/runtime/run.js';
import { runTrain } from '../../core/src/train/index.js';
import { recordToPrompt } from '../../core/src/train/prompts.js';
import { createTinyModel } from '../../core/src/train/sft/tiny-start.js';
import { encodeExample, lengthGroupedBatches, runSft, sftTarget } from '../../core/src/train/sft/trainer.js';
import { chunks } from '../../core/src/train/ppo/config.js';
import { TrainRng } from '../../core/src/train/rng.js';
import { JsonlLog } from '../../core/src/train/run-log.js';
import { lettersPlugin, TINY_SHAPE } from './helpers.js';

describe('SFT examples', () => {
  it.each([
    {
      output: '<think>\nfever and rash\n</think>\n\nSee a doctor today.',
      want: '<think>fever and rash</think>\nSee a doctor today.',
    },
    { output: 'Just an answer.', want: '<think></think>\nJust an answer.' },
  ])('target of $output', ({ output, want }) => {
    expect(sftTarget(output)).toBe(want);
  });

  it('puts the target after the generation prompt and masks the prompt out of the loss', async () => {
    const record = recordToPrompt({ id: 'a', instruction: 'why fever', input: '', output: '<think>t</think>a' }, 'x');
    const { tokenizer } = await createTinyModel(['why fever <think>t</think>\na'], {
      ...TINY_SHAPE,
      tokenizer: 'characters',
    });
    const prompt = tokenizer.encodeChat(record.messages, { addGenerationPrompt: true });
    const ex = encodeExample(tokenizer, record, { maxLength: 512, assistantOnly: true });
    expect(tokenizer.decode(ex.ids.slice(0, prompt.length))).toContain('why fever');
    expect(tokenizer.decode(ex.ids.slice(prompt.length))).toBe('<think>t</think>\na<|im_end|>');
    expect(ex.ids.at(-1)).toBe(tokenizer.specialTokenIds.imEnd);
    expect(ex.lossMask.slice(0, prompt.length).every((m) => m === 0)).toBe(true);
    expect(ex.lossMask.slice(prompt.length).every((m) => m === 1)).toBe(true);
    const all = encodeExample(tokenizer, record, { maxLength: 512, assistantOnly: false });
    expect(all.lossMask.filter((m) => m === 1)).toHaveLength(all.ids.length - 1);
    expect(encodeExample(tokenizer, record, { maxLength: 10, assistantOnly: true }).ids).toHaveLength(10);
  });
});

describe('medrl sft on the tiny model', () => {
  it('lowers the loss, writes final_lora atomically, and PPO starts from it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'medrl-sft-'));
    await mkdir(path.join(root, 'data/processed'), { recursive: true });
    const records = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({
        id: `s${i}`,
        instruction: `question ${i % 4}`,
        input: '',
        output: `<think>think ${i % 4}</think>answer ${i % 4}`,
        meta: { risk_level: 'low' },
      }),
    );
    await writeFile(path.join(root, 'data/processed/train.jsonl'), records.join('\n') + '\n');
    await writeFile(path.join(root, 'data/processed/dev.jsonl'), records.slice(0, 2).join('\n') + '\n');
    await writeFile(
      path.join(root, 'prompts.jsonl'),
      ['a', 'b', 'c', 'd'].map((c) => JSON.stringify({ id: c, prompt: `question ${c}` })).join('\n') + '\n',
    );
    const steps: number[] = [];
    const run = await openRun({
      command: 'sft',
      cwd: root,
      config: {
        plugins: [
          lettersPlugin(new Set()),
          { name: 'steps', apiVersion: '1.0', onStep: ({ stats }) => void steps.push(stats.loss!) },
        ],
        reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null },
        model: {
          from_scratch: true,
          tiny: { ...TINY_SHAPE, hidden_size: 64, head_dim: 32, tokenizer: 'characters' },
          lora: { enabled: true, r: 4, alpha: 8, dropout: 0, targetModules: ['q', 'v'] },
        },
        sft: { num_train_epochs: 6, per_device_train_batch_size: 4, learning_rate: 5e-3, max_length: 128 },
        ppo: {
          model_path: 'models/lora/final_lora',
          prompts_path: 'prompts.jsonl',
          steps: 2,
          max_new_tokens: 4,
          safety_gate: { enabled: false },
        },
        output: { output_dir: 'rl', progress: 'none' },
      },
    });
    try {
      const summary = await runSft(run);
      expect(summary.kind).toBe('full');
      expect(summary.optimizerSteps).toBe(12);
      expect(steps).toHaveLength(12);
      expect(summary.trainLossLast).toBeLessThan(summary.trainLossFirst - 1);
      expect(summary.evalLoss).not.toBeNull();
      const dir = path.join(root, 'models/lora/final_lora');
      for (const file of ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json']) {
        await expect(stat(path.join(dir, file))).resolves.toBeTruthy();
      }
      const lines = await new JsonlLog(path.join(root, 'models/lora/sft_metrics.jsonl')).read();
      expect(lines.filter((l) => 'eval_loss' in l)).toHaveLength(6);
      expect(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')).hidden_size).toBe(64);

      const train = await runTrain(run, { algo: 'ppo' });
      expect(train.reason).toBe('finished');
      expect(train.steps).toBe(2);
    } finally {
      await run.close();
    }
  }, 60_000);
});

describe('lengthGroupedBatches (group_by_length)', () => {
  const examples = Array.from({ length: 1000 }, (_, i) => ({
    ids: new Array<number>(5 + ((i * 37) % 200)).fill(1),
    lossMask: [],
  }));
  const padding = (batches: number[][]) =>
    batches.reduce((sum, b) => {
      const width = Math.max(...b.map((i) => examples[i]!.ids.length));
      return sum + b.reduce((s, i) => s + width - examples[i]!.ids.length, 0);
    }, 0);

  it('uses every example once, in batches of the size asked for', () => {
    const batches = lengthGroupedBatches(examples, TrainRng.create(1, 'sft/data').permutation(examples.length), 8);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
    expect(batches.filter((b) => b.length !== 8)).toHaveLength(0);
  });

  it('pads far less than random batches, and follows the epoch order', () => {
    const grouped = lengthGroupedBatches(examples, TrainRng.create(1, 'sft/data').permutation(examples.length), 8);
    const random = chunks(TrainRng.create(1, 'sft/data').permutation(examples.length), 8);
    expect(padding(grouped)).toBeLessThan(padding(random) / 10);
    expect(lengthGroupedBatches(examples, TrainRng.create(1, 'sft/data').permutation(examples.length), 8)).toEqual(
      grouped,
    );
    expect(lengthGroupedBatches(examples, TrainRng.create(2, 'sft/data').permutation(examples.length), 8)).not.toEqual(
      grouped,
    );
  });
});
