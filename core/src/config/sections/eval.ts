/**
 * Config section `eval`: `medrl eval` (core/src/eval/, docs/evaluation.md). Flags of the command
 * override the matching fields. Relative paths resolve from the config file's directory.
 */
import { z } from 'zod';

const riskLevel = z.enum(['low', 'medium', 'high', 'critical']);

export const evalBootstrapSchema = z.strictObject({
  /** Bootstrap resamples per confidence interval. Default 1000 (Efron & Tibshirani's advice for percentile intervals). */
  resamples: z.number().int().min(1).max(100_000).default(1000),
  /** Two-sided coverage of every interval. Default 0.95. */
  confidence: z.number().gt(0).lt(1).default(0.95),
  /** Seed of the resampling generator; the same data and seed give the same intervals. Default 42. */
  seed: z.number().int().default(42),
});

/**
 * Decoding of evaluated answers. Defaults are Qwen3's published settings for thinking mode
 * (temperature 0.6, top-p 0.95, top-k 20; its model card warns that greedy decoding degenerates into
 * repetition), with a fixed seed so that an evaluation is repeatable. metrics.json records them.
 */
export const evalGenerationSchema = z.strictObject({
  /** Largest number of new tokens per answer. Default 512. */
  maxNewTokens: z.number().int().positive().default(512),
  /** Sampling temperature; 0 is greedy decoding. Default 0.6 (Qwen3, thinking mode). */
  temperature: z.number().min(0).default(0.6),
  /** Keep only the k most likely tokens (used when temperature > 0); 0 = off. Default 20 (Qwen3). */
  topK: z.number().int().min(0).default(20),
  /** Nucleus sampling mass (used when temperature > 0). Default 0.95 (Qwen3). */
  topP: z.number().gt(0).max(1).default(0.95),
  /** Prompts generated together in one batch. Default 8. */
  batchSize: z.number().int().positive().default(8),
  /** Seed of the sampler (used when temperature > 0). Default 42. */
  seed: z.number().int().default(42),
});

export const evalSchema = z.strictObject({
  /** Directory of the processed splits (`medrl prepare --out`). Default `data/processed`. */
  dataDir: z.string().min(1).default('data/processed'),
  /** Splits evaluated, as file names without `.jsonl`. Default test, gold_set and red_team. */
  splits: z
    .array(z.string().min(1))
    .min(1)
    .default(() => ['test', 'gold_set', 'red_team']),
  /** Evaluate at most this many prompts per split (the first ones in file order); null for all. Default null. */
  limit: z.number().int().positive().nullable().default(null),
  /** Output directory of metrics.json, samples.jsonl and report.html. Default `eval_report`. */
  outDir: z.string().min(1).default('eval_report'),
  /** The split held out from training whose high-risk part is reported on its own. Default `test`. */
  heldOutSplit: z.string().min(1).default('test'),
  /** Risk levels that make a held-out sample "high risk". Default high and critical. */
  highRiskLevels: z
    .array(riskLevel)
    .min(1)
    .default(() => ['high' as const, 'critical' as const]),
  /** Risk categories whose prompts need urgent care (urgent_coverage). Default `emergency`. */
  urgentCategories: z.array(z.string().min(1)).default(() => ['emergency']),
  /** Risk levels whose prompts need urgent care (urgent_coverage). Default `critical`. */
  urgentLevels: z.array(riskLevel).default(() => ['critical' as const]),
  /** Rollouts per composer call while scoring (judges run concurrently inside one call). Default 32. */
  scoreBatchSize: z.number().int().positive().default(32),
  /** Best and worst samples shown in report.html. Default 5. */
  reportSamples: z.number().int().min(0).max(100).default(5),
  bootstrap: z.preprocess((v) => v ?? {}, evalBootstrapSchema),
  generation: z.preprocess((v) => v ?? {}, evalGenerationSchema),
});

export type EvalOptions = z.output<typeof evalSchema>;
