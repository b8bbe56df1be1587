/**
 * PPO as TRL's PPOTrainer (≤ 0.11) runs it, one `step` per batch of scored rollouts:
 *  1. scores: optional running scaling/normalization and clipping;
 *  2. a no-grad forward pass in mini-batches: policy log-probs and values, reference log-probs
 *     (the policy with adapters off);
 *  3. per-token rewards -beta * KL (kl_penalty) plus the score on each response's last token;
 *  4. GAE and whitened advantages;
 *  5. ppo_epochs passes over shuffled mini-batches with the clipped policy and value losses,
 *     gradients accumulated over gradient_accumulation_steps, optional norm clipping, Adam; an
 *     epoch loop that stops early when the policy KL exceeds 1.5 * target_kl;
 *  6. stats under TRL's names and the adaptive KL controller's update.
 */
import * as tf from '@tensorflow/tfjs';
import type { PpoSection } from '@medrl/core';
import { computeGae, maskedMean } from '../advantages.js';
import {
  createKlController,
  restoreKlController,
  type KlController,
  type KlControllerState,
} from '../kl-controller.js';
import { fullKl, klPenalty, ppoLoss } from '../losses.js';
import { accumulatedStep, AdamW, type NamedParam } from '../optimizer.js';
import { responseRows, type Policy, type SequencePair } from '../policy.js';
import type { RlAlgorithm } from '../rl-loop.js';
import type { TrainRng } from '../rng.js';
import type { GeneratedSample, Sampling, ScoredSample } from '../rollouts.js';
import { RunningMoments, transformScores, type RunningMomentsState } from '../score-scaling.js';
import { ValueHead } from '../value-head.js';
import { backwardBatchSize, chunks } from './config.js';

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** PPO's own fields in a checkpoint's trainer state. */
export type PpoState = {
  /** The adaptive (or fixed) KL controller. */
  kl_ctl: KlControllerState;
  /** Running moments of the scores (use_score_scaling / use_score_norm). */
  score_moments: RunningMomentsState;
};

export class PpoAlgorithm implements RlAlgorithm<PpoState> {
  readonly algo = 'ppo' as const;
  readonly generationsPerPrompt = 1;
  readonly klStat = 'objective/kl';
  readonly promptsPerStep: number;
  readonly sampling: Sampling;
  readonly valueHead: ValueHead;
  readonly optimizer: AdamW;
  private klCtl: KlController;
  private moments = new RunningMoments();
  /** The forward pass `prepare` ran while the batch was being judged. */
  private prepared:
    { pairs: SequencePair[]; fwd: ReturnType<PpoAlgorithm['forwardPass']>; seconds: number } | undefined;

  constructor(
    private readonly policy: Policy,
    private readonly cfg: PpoSection,
  ) {
    this.promptsPerStep = cfg.batch_size;
    this.sampling = {
      maxNewTokens: cfg.max_new_tokens,
      temperature: cfg.temperature,
      topK: cfg.top_k,
      topP: cfg.top_p,
    };
    this.valueHead = new ValueHead(policy.hiddenSize, cfg.seed * 7919 + 17);
    // TRL's PPOTrainer uses plain Adam (torch defaults) at a constant learning rate.
    this.optimizer = new AdamW(this.params());
    this.klCtl = createKlController(cfg);
  }

  params(): NamedParam[] {
    return [...this.policy.params(), ...this.valueHead.params()];
  }

  state(): PpoState {
    return { kl_ctl: this.klCtl.state(), score_moments: this.moments.state() };
  }

  restore(state: Partial<PpoState>): void {
    if (state.kl_ctl) this.klCtl = restoreKlController(state.kl_ctl, this.cfg);
    if (state.score_moments) this.moments = RunningMoments.from(state.score_moments);
  }

  /** No-grad pass: per-sample response log-probs, reference log-probs, values and (kind full) KL. */
  private forwardPass(pairs: readonly SequencePair[]) {
    const full = this.cfg.kl_penalty === 'full';
    const logprobs: number[][] = [];
    const refLogprobs: number[][] = [];
    const values: number[][] = [];
    const fullKls: number[][] = [];
    for (const mb of chunks(pairs, this.cfg.mini_batch_size)) {
      tf.tidy(() => {
        const cur = this.policy.forwardResponses(mb, { hidden: true, logits: full });
        const ref = this.policy.forwardResponses(mb, { reference: true, logits: full });
        const v = this.valueHead.apply(cur.hidden!).arraySync();
        const lp = cur.logprobs.arraySync();
        const rlp = ref.logprobs.arraySync();
        const kl = full ? fullKl(cur.logits!, ref.logits!).arraySync() : undefined;
        mb.forEach((p, i) => {
          const n = p.response.length;
          logprobs.push(lp[i]!.slice(0, n));
          refLogprobs.push(rlp[i]!.slice(0, n));
          values.push(v[i]!.slice(0, n));
          if (kl) fullKls.push(kl[i]!.slice(0, n));
        });
      });
    }
    return { logprobs, refLogprobs, values, fullKls: full ? fullKls : undefined };
  }

  /** The no-grad forward pass needs no scores: run it while the judge still works. */
  prepare(samples: readonly GeneratedSample[]): void {
    const t = performance.now();
    const pairs = samples.map((s) => ({ query: s.queryIds, response: s.responseIds }));
    this.prepared = { pairs, fwd: this.forwardPass(pairs), seconds: (performance.now() - t) / 1000 };
  }

  /** The prepared pass when it covers exactly `pairs` (mini-batches, hence numerics, are the same); else a fresh one. */
  private forwardOf(pairs: readonly SequencePair[]): { fwd: ReturnType<PpoAlgorithm['forwardPass']>; seconds: number } {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (
      prepared &&
      prepared.pairs.length === pairs.length &&
      prepared.pairs.every((p, i) => p.query === pairs[i]!.query && p.response === pairs[i]!.response)
    ) {
      return prepared;
    }
    const t = performance.now();
    return { fwd: this.forwardPass(pairs), seconds: (performance.now() - t) / 1000 };
  }

  async update(samples: ScoredSample[], ctx: { step: number; rng: TrainRng }): Promise<Record<string, number>> {
    const cfg = this.cfg;
    const tStart = performance.now();
    const timing: Record<string, number> = {};
    const kept = samples.filter((s) => s.score !== null);
    const beta = this.klCtl.value;
    if (kept.length === 0) {
      this.prepared = undefined;
      return { 'ppo/skipped': 1, 'objective/kl_coef': beta };
    }
    const n = kept.length;
    const scores = transformScores(
      kept.map((s) => s.score!),
      this.moments,
      cfg,
    );
    const pairs = kept.map((s) => ({ query: s.queryIds, response: s.responseIds }));

    const { fwd, seconds } = this.forwardOf(pairs);
    timing['time/ppo/forward_pass'] = seconds;

    let t = performance.now();
    const kl =
      fwd.fullKls ??
      fwd.logprobs.map((row, i) =>
        row.map((lp, j) => klPenalty(cfg.kl_penalty as 'kl' | 'abs' | 'mse', lp, fwd.refLogprobs[i]![j]!)),
      );
    const nonScore = kl.map((row) => row.map((k) => -beta * k));
    const rewards = nonScore.map((row, i) => {
      const r = [...row];
      r[r.length - 1]! += scores[i]!;
      return r;
    });
    const masks = rewards.map((row) => row.map(() => 1));
    timing['time/ppo/compute_rewards'] = (performance.now() - t) / 1000;

    t = performance.now();
    const gae = computeGae(fwd.values, rewards, masks, {
      gamma: cfg.gamma,
      lam: cfg.lam,
      whitenRewards: cfg.whiten_rewards,
    });
    timing['time/ppo/compute_advantages'] = (performance.now() - t) / 1000;

    t = performance.now();
    const params = this.params();
    const allStats: Record<string, number>[] = [];
    let earlyStopped = 0;
    let epochs = 0;
    let gradNorm = Number.NaN;
    const lr = cfg.learning_rate;
    for (let epoch = 0; epoch < cfg.ppo_epochs; epoch++) {
      epochs += 1;
      const perm = ctx.rng.permutation(n);
      for (const backward of chunks(perm, backwardBatchSize(cfg))) {
        const miniBatches = chunks(backward, cfg.mini_batch_size);
        ({ gradNorm } = accumulatedStep(
          this.optimizer,
          params,
          miniBatches,
          (mb) => {
            const cur = this.policy.forwardResponses(
              mb.map((i) => pairs[i]!),
              { hidden: true, logits: true, training: true },
            );
            const width = cur.mask.shape[1];
            const rows = (src: number[][]) =>
              responseRows(
                mb.map((i) => src[i]!),
                width,
              );
            const { loss, stats } = ppoLoss(
              {
                oldLogprobs: rows(fwd.logprobs),
                oldValues: rows(gae.values),
                logprobs: cur.logprobs,
                vpreds: this.valueHead.apply(cur.hidden!),
                advantages: rows(gae.advantages),
                returns: rows(gae.returns),
                mask: cur.mask,
                logits: cur.logits,
              },
              cfg,
            );
            allStats.push(Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v.dataSync()[0]!])));
            return tf.div(loss, miniBatches.length) as tf.Scalar;
          },
          { maxGradNorm: cfg.max_grad_norm, lr },
        ));
      }
      const last = allStats[allStats.length - 1];
      if (cfg.early_stopping && last && last['policy/policykl']! > 1.5 * cfg.target_kl) {
        earlyStopped = 1;
        break;
      }
    }
    timing['time/ppo/optimize_step'] = (performance.now() - t) / 1000;

    t = performance.now();
    const stats: Record<string, number> = {};
    for (const key of Object.keys(allStats[0] ?? {})) stats[`ppo/${key}`] = mean(allStats.map((s) => s[key]!));
    stats['ppo/val/var_explained'] = 1 - stats['ppo/val/error']! / stats['ppo/returns/var']!;
    const klPerSample = fwd.logprobs.map((row, i) => row.reduce((a, lp, j) => a + lp - fwd.refLogprobs[i]![j]!, 0));
    stats['objective/kl'] = mean(klPerSample);
    stats['objective/kl_coef'] = beta;
    stats['objective/entropy'] = mean(fwd.logprobs.map((row) => row.reduce((a, lp) => a - lp, 0)));
    stats['ppo/mean_non_score_reward'] = maskedMean(nonScore, masks);
    stats['ppo/mean_scores'] = mean(scores);
    stats['ppo/std_scores'] = std(scores);
    stats['ppo/learning_rate'] = lr;
    stats['ppo/early_stopped'] = earlyStopped;
    stats['ppo/epochs'] = epochs;
    stats['ppo/grad_norm'] = gradNorm;
    stats['tokens/queries_len_mean'] = mean(pairs.map((p) => p.query.length));
    stats['tokens/queries_len_std'] = std(pairs.map((p) => p.query.length));
    stats['tokens/responses_len_mean'] = mean(pairs.map((p) => p.response.length));
    stats['tokens/responses_len_std'] = std(pairs.map((p) => p.response.length));
    timing['time/ppo/calc_stats'] = (performance.now() - t) / 1000;

    this.klCtl.update(stats['objective/kl'], cfg.batch_size);
    timing['time/ppo/total'] = (performance.now() - tStart) / 1000;
    return { ...stats, ...timing };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.valueHead.dispose();
  }
}
