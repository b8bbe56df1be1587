/**
 * How the embedded model (core/assets/medrl-qwen3-tiny) is trained: `npm run model:train` runs
 * `medrl prepare` with the repository's data settings, then `medrl sft` with this config from
 * scratch, then writes the model card. The same data settings as medrl.config.ts, so that the
 * held-out split the main job evaluates on is the one this model never saw.
 */
import { defineConfig } from '@medrl/sdk';
import base from '../medrl.config.js';

export default defineConfig({
  ...base,
  model: {
    from_scratch: true,
    seed: 0,
    tiny: {
      tokenizer: 'qwen3',
      hidden_size: 192,
      intermediate_size: 576,
      num_hidden_layers: 4,
      num_attention_heads: 3,
      num_key_value_heads: 1,
      head_dim: 64,
      max_position_embeddings: 512,
      rope_theta: 10000,
    },
  },
  // Relative paths resolve from this file's folder (tools/).
  sft: {
    train_file: '../data/processed/train.jsonl',
    eval_file: '../data/processed/dev.jsonl',
    output_dir: '../runs/embedded-model',
    num_train_epochs: 3,
    per_device_train_batch_size: 16,
    learning_rate: 2e-3,
    lr_scheduler_type: 'cosine',
    warmup_steps: 100,
    weight_decay: 0.1,
    max_length: 384,
    group_by_length: true,
    eval_steps: 250,
    save_steps: 500,
    max_eval_samples: 512,
    logging_steps: 25,
    seed: 42,
  },
});
