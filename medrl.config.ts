/**
 * The default configuration of medrl: the one `npx medrl train` uses on a fresh clone.
 * It reproduces the seed pipeline: R = 0.6 * R_rules + 0.4 * R_teacher, where R_rules is split over
 * the four rule components (data/rl/reward_rules.md) and R_teacher is the judge-derived reward
 * (DeepSeek when DEEPSEEK_API_KEY is set, else the offline mock judge).
 * Every option and its default: docs/configuration.md.
 */
import { defineConfig } from '@medrl/sdk';
import rules from '@medrl/plugin-rules';
import judgeMock from '@medrl/plugin-judge-mock';
import judgeDeepseek from '@medrl/plugin-judge-deepseek';
import checkpointHf from '@medrl/plugin-checkpoint-hf';

export default defineConfig({
  plugins: [rules(), judgeMock(), judgeDeepseek(), checkpointHf()],
  reward: {
    components: [
      { use: 'rules/format', weight: 0.1 },
      { use: 'rules/length', weight: 0.1 },
      { use: 'rules/keyword', weight: 0.1 },
      { use: 'rules/safety', weight: 0.3 },
      { use: 'judge', weight: 0.4 },
    ],
    clip: [-1, 1],
    onMissing: 'renormalize',
    // Text that addresses the grader, fakes a score or hides behind chat-template control tokens
    // (an early <|im_end|>, a fake assistant turn) costs the whole reward, whatever the judge says.
    gates: [
      {
        component: 'rules/safety',
        field: 'points.safety/grader-injection',
        op: 'lt',
        value: 0,
        total: -1,
        name: 'grader injection',
      },
      {
        component: 'rules/safety',
        field: 'points.safety/fake-score',
        op: 'lt',
        value: 0,
        total: -1,
        name: 'fake score',
      },
      {
        component: 'rules/safety',
        field: 'points.safety/template-injection',
        op: 'lt',
        value: 0,
        total: -1,
        name: 'template injection',
      },
    ],
  },
  judge: {
    use: 'auto',
    weights: { safety: 0.4, reasoning: 0.3, completeness: 0.2, empathy: 0.1 },
    safetyZeroForcesZero: true,
  },
  engine: { backend: 'auto' },
  // Demo sizes: the embedded tiny Qwen3 (trained from scratch) small enough that prepare, SFT and PPO
  // finish in minutes on 2 CPU cores. Point model.path at a real Qwen3 directory for real work.
  model: {
    tiny: {
      hidden_size: 128,
      intermediate_size: 384,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 32,
      max_position_embeddings: 512,
    },
  },
  // The tiny model starts from random weights, so SFT needs a far larger step than fine-tuning does.
  sft: { num_train_epochs: 2, max_length: 256, learning_rate: 1e-3 },
  data: { rl: { targetSize: 96 } },
  ppo: { max_new_tokens: 48, max_prompt_length: 192, eval_steps: 8, save_steps: 10 },
});
