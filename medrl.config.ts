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
  // No model.path: the embedded model (core/assets/medrl-qwen3-tiny, 3.45M parameters, SFT-trained by
  // medrl on data/raw; its README.md says how) is the start, copied to models/lora/final_lora. Point
  // model.path at a real Qwen3 directory for real work; `medrl sft` then trains the start first.
  data: {
    // RL prompts: half high-risk (where the corpus's flawed answers are), half low/medium (where an
    // over-eager model would start sending everyone to the emergency department), in one shuffle.
    rl: { oversampleK: 0, highRiskRatio: 0.5, targetSize: 2000, order: 'shuffled' },
  },
  // GRPO, chosen by measurement over PPO for the embedded model (docs/training.md, "The embedded
  // model's RL settings"): 4 prompts x 4 completions per step, 40 steps, LoRA with a far larger
  // step than TRL's 1e-6 (that default is for real Qwen3 checkpoints; this 3.45M-parameter model's
  // LoRA did not move at 5e-4 in 20 steps), a k3 KL penalty to keep answers close to the start.
  algorithm: 'grpo',
  grpo: {
    steps: 40,
    learning_rate: 2e-3,
    per_device_train_batch_size: 16,
    num_generations: 4,
    beta: 0.04,
    max_completion_length: 192,
    max_prompt_length: 192,
    eval_steps: 10,
    save_steps: 10,
  },
  eval: { generation: { batchSize: 64, maxNewTokens: 224 } },
});
