/**
 * GRPO as TRL's GRPOTrainer runs it, one step per generation batch:
 *  1. each prompt is answered num_generations times (the group);
 *  2. advantages: reward minus the group's mean, scaled by the group's std, the batch's, or not
 *     (scale_rewards); one advantage per completion, shared by its tokens;
 *  3. old log-probs (a no-grad pass, when num_iterations > 1) and reference log-probs (adapters
 *     off or the frozen start; taken with beta = 0 too, so that the KL is always logged);
 *  4. num_iterations optimizer steps, each over the whole generation batch in micro-batches of
 *     per_device_train_batch_size (gradients accumulated), with the clipped surrogate, the k3 KL
 *     and the configured loss aggregation; AdamW with a linear or constant schedule.
 * No value head. Completions the composer dropped (no total) get no loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { GrpoSection } from '@medrl/core';
import { groupAdvantages } from '../advantages.js';
import { entropyFromLogits, grpoLoss, stopGradient } from '../losses.js';
import { accumulatedStep, AdamW, learningRateAt, type NamedParam } from '../optimizer.js';
import { responseRows, type Policy, type SequencePair } from '../policy.js';
import { chunks } from '../ppo/config.js';
import { promptsPerStep } from './config.js';
import type { RlAlgorithm } from '../rl-loop.js';
import type { GeneratedSample, Sampling, ScoredSample } from '../rollouts.js';
import { std } from '../advantages.js';

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export class GrpoAlgorithm implements RlAlgorithm {
  readonly algo = 'grpo' as const;
  readonly klStat = 'kl';
  readonly promptsPerStep: number;
  readonly generationsPerPrompt: number;
  readonly sampling: Sampling;
  readonly optimizer: AdamW;
  private readonly epsilonHigh: number;
  /** The no-grad passes `prepare` ran while the batch was being judged. */
  private prepared:
    { samples: readonly GeneratedSample[]; oldLogprobs?: number[][]; refLogprobs: number[][] } | undefined;

  constructor(
    private readonly policy: Policy,
    private readonly cfg: GrpoSection,
  ) {
    this.generationsPerPrompt = cfg.num_generations;
    this.promptsPerStep = promptsPerStep(cfg);
    this.sampling = {
      maxNewTokens: cfg.max_completion_length,
      temperature: cfg.temperature,
      topK: cfg.top_k,
      topP: cfg.top_p,
    };
    this.optimizer = new AdamW(this.params(), { weightDecay: cfg.weight_decay });
    this.epsilonHigh = cfg.epsilon_high ?? cfg.epsilon;
  }

  params(): NamedParam[] {
    return this.policy.params();
  }

  /** GRPO keeps nothing beside the loop's state (no value head, no KL controller). */
  state(): Record<string, never> {
    return {};
  }

  restore(): void {}

  /** No-grad log-probs of the responses (current policy or the reference), per sample. */
  private logprobsOf(pairs: readonly SequencePair[], reference: boolean): number[][] {
    const out: number[][] = [];
    for (const mb of chunks(pairs, this.cfg.per_device_train_batch_size)) {
      tf.tidy(() => {
        const lp = this.policy.forwardResponses(mb, { reference }).logprobs.arraySync();
        mb.forEach((p, i) => out.push(lp[i]!.slice(0, p.response.length)));
      });
    }
    return out;
  }

  /** Old and reference log-probs need no rewards: compute them while the judge still works. */
  prepare(samples: readonly GeneratedSample[]): void {
    const pairs = samples.map((s) => ({ query: s.queryIds, response: s.responseIds }));
    this.prepared = {
      samples,
      oldLogprobs: this.cfg.num_iterations > 1 ? this.logprobsOf(pairs, false) : undefined,
      refLogprobs: this.logprobsOf(pairs, true),
    };
  }

  async update(samples: ScoredSample[], ctx: { step: number; totalSteps: number }): Promise<Record<string, number>> {
    const cfg = this.cfg;
    const t0 = performance.now();
    const g = cfg.num_generations;
    // A dropped completion takes its group's mean (advantage 0) and is masked out of the loss.
    const rewards = samples.map((s, i) => {
      if (s.score !== null) return s.score;
      const group = samples.slice(i - (i % g), i - (i % g) + g).filter((x) => x.score !== null);
      return mean(group.map((x) => x.score!)) || 0;
    });
    const { advantages, groupStd } = groupAdvantages(rewards, g, cfg.scale_rewards);
    const pairs = samples.map((s) => ({ query: s.queryIds, response: s.responseIds }));
    const active = samples.map(
      (s) => s.score !== null && !(cfg.mask_truncated_completions && s.finishReason === 'length'),
    );
    const prepared = this.prepared;
    this.prepared = undefined;
    const reuse =
      prepared !== undefined &&
      prepared.samples.length === samples.length &&
      prepared.samples.every(
        (p, i) => p.queryIds === samples[i]!.queryIds && p.responseIds === samples[i]!.responseIds,
      );
    const oldLogprobs = reuse
      ? prepared.oldLogprobs
      : cfg.num_iterations > 1
        ? this.logprobsOf(pairs, false)
        : undefined;
    // Also with beta = 0 (TRL skips the reference then): one no-grad pass, so that `kl` is logged.
    const refLogprobs = reuse ? prepared.refLogprobs : this.logprobsOf(pairs, true);
    const activeTokens = pairs.reduce((a, p, i) => a + (active[i] ? p.response.length : 0), 0);

    const params = this.params();
    const microBatches = chunks(
      pairs.map((_, i) => i),
      cfg.per_device_train_batch_size,
    );
    const totalOptimizerSteps = ctx.totalSteps * cfg.num_iterations;
    const warmup = Math.ceil(cfg.warmup_ratio * totalOptimizerSteps);
    const mbStats: Record<string, number>[] = [];
    const losses: number[] = [];
    let gradNorm = Number.NaN;
    let lr = cfg.learning_rate;
    for (let iteration = 0; iteration < cfg.num_iterations; iteration++) {
      const optimizerStep = (ctx.step - 1) * cfg.num_iterations + iteration;
      lr = learningRateAt(cfg.learning_rate, optimizerStep, totalOptimizerSteps, warmup, cfg.lr_scheduler_type);
      const result = accumulatedStep(
        this.optimizer,
        params,
        microBatches,
        (mb) => {
          const cur = this.policy.forwardResponses(
            mb.map((i) => pairs[i]!),
            { training: true, logits: true },
          );
          const width = cur.mask.shape[1];
          const rows = (src: number[][]) =>
            responseRows(
              mb.map((i) => src[i]!),
              width,
            );
          const activeRow = tf.tensor2d(mb.map((i) => [active[i] ? 1 : 0]));
          const mask = tf.mul(cur.mask, activeRow) as tf.Tensor2D;
          const { loss, stats } = grpoLoss(
            {
              logprobs: cur.logprobs,
              oldLogprobs: oldLogprobs ? rows(oldLogprobs) : stopGradient(cur.logprobs),
              refLogprobs: rows(refLogprobs),
              advantages: tf.tensor1d(mb.map((i) => advantages[i]!)),
              mask,
            },
            {
              loss_type: cfg.loss_type,
              beta: cfg.beta,
              epsilon: cfg.epsilon,
              epsilon_high: this.epsilonHigh,
              max_completion_length: cfg.max_completion_length,
              num_items_in_batch: activeTokens,
            },
          );
          const recorded = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v.dataSync()[0]!]));
          recorded.entropy_sum = tf.sum(tf.mul(entropyFromLogits(cur.logits!), mask)).dataSync()[0]!;
          recorded.tokens = tf.sum(mask).dataSync()[0]!;
          mbStats.push(recorded);
          // dapo's normalizer already spans the accumulated batch; the others average micro-batches.
          return (cfg.loss_type === 'dapo' ? loss : tf.div(loss, microBatches.length)) as tf.Scalar;
        },
        { maxGradNorm: cfg.max_grad_norm, lr },
      );
      losses.push(...result.losses);
      gradNorm = result.gradNorm;
    }

    const tokens = mbStats.reduce((a, s) => a + s.tokens!, 0);
    const weighted = (key: string) => mbStats.reduce((a, s) => a + (s[key] ?? 0) * s.tokens!, 0) / Math.max(tokens, 1);
    const lengths = pairs.map((p) => p.response.length);
    const stats: Record<string, number> = {
      loss: losses.reduce((a, b) => a + b, 0) / cfg.num_iterations,
      reward: mean(rewards),
      reward_std: std(rewards),
      frac_reward_zero_std: mean(groupStd.filter((_, i) => i % g === 0).map((s) => (s === 0 ? 1 : 0))),
      'completions/mean_length': mean(lengths),
      'completions/min_length': Math.min(...lengths),
      'completions/max_length': Math.max(...lengths),
      'completions/clipped_ratio': mean(samples.map((s) => (s.finishReason === 'length' ? 1 : 0))),
      entropy: mbStats.reduce((a, s) => a + s.entropy_sum!, 0) / Math.max(tokens, 1),
      'clip_ratio/low_mean': weighted('clip_ratio/low_mean'),
      'clip_ratio/high_mean': weighted('clip_ratio/high_mean'),
      'clip_ratio/region_mean': weighted('clip_ratio/region_mean'),
      grad_norm: gradNorm,
      learning_rate: lr,
      'time/grpo/update': (performance.now() - t0) / 1000,
    };
    stats.kl = weighted('kl');
    return stats;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
