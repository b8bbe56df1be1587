/**
 * Config section `data`: how `medrl prepare` cleans, de-identifies, dedupes, classifies and splits the
 * raw corpus, and how `medrl prepare-rl` builds RL prompts from the result. docs/data.md explains every
 * rule; the default lexicons live in core/cli/src/data/lexicons.ts (listed in docs/data.md).
 * Relative paths resolve from the config file's directory (the working directory without a config).
 */
import { z } from 'zod';

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** A risk category: the level it implies and the terms (Chinese and English) that signal it. */
const riskCategorySchema = z.strictObject({
  /** Risk level implied when any term matches the question. */
  level: z.enum(RISK_LEVELS),
  /** Terms matched in the question (case-insensitive; ASCII terms match whole words, `*` at the end = prefix). */
  terms: z.array(z.string().min(1)),
});

/** A specialty: its terms and how much one hit counts (population specialties such as pediatrics weigh more). */
const specialtySchema = z.strictObject({
  /** Terms matched in the question (counted twice) and the answer (counted once). */
  terms: z.array(z.string().min(1)),
  /** Multiplier for this specialty's hits. Default 1. */
  weight: z.number().positive().default(1),
});

const splitSchema = z
  .strictObject({
    /** Share of kept records in train.jsonl. Default 0.8. */
    train: z.number().min(0).max(1).default(0.8),
    /** Share of kept records in dev.jsonl. Default 0.1. */
    dev: z.number().min(0).max(1).default(0.1),
    /** Share of kept records in test.jsonl. Default 0.1. */
    test: z.number().min(0).max(1).default(0.1),
  })
  .refine((s) => Math.abs(s.train + s.dev + s.test - 1) < 1e-6, {
    message: 'split ratios train + dev + test must add up to 1',
  });

export const dataSchema = z.strictObject({
  /** Directory read by `medrl prepare`: every *.jsonl under it, recursively, in sorted path order. Default `data/raw`. */
  input: z.string().min(1).default('data/raw'),
  /** Directory `medrl prepare` writes (train/dev/test/gold_set/red_team/rejected .jsonl, stats.json). Default `data/processed`. */
  processedDir: z.string().min(1).default('data/processed'),
  /** Seed of every random choice (split shuffles, RL sampling). Same input + seed = byte-identical outputs. Default 42. */
  seed: z.number().int().min(0).default(42),
  /** Input lines longer than this many bytes are rejected (`line_too_long`) without being parsed. Default 65536 (64 KiB). */
  maxLineBytes: z.number().int().positive().default(65_536),
  /** Stratified split ratios (by risk level and specialty); they must add up to 1. */
  split: splitSchema.prefault({}),
  nearDuplicates: z
    .strictObject({
      /** Remove near duplicates (MinHash over character shingles). Exact duplicates are always removed. Default true. */
      enabled: z.boolean().default(true),
      /** Estimated Jaccard similarity at or above which a record is a near duplicate of an earlier one. Default 0.8. */
      threshold: z.number().gt(0).max(1).default(0.8),
      /** Characters per shingle (after lower-casing and removing whitespace and punctuation). Default 3. */
      shingleSize: z.number().int().min(1).max(8).default(3),
    })
    .prefault({}),
  deidentify: z
    .strictObject({
      /** Replace e-mails, ID-card numbers, phone numbers and record numbers with placeholders. Default true. */
      enabled: z.boolean().default(true),
      /** Public numbers never replaced (emergency and crisis lines); compared digit by digit. */
      keepNumbers: z
        .array(z.string())
        .default(() => [
          '120',
          '110',
          '119',
          '911',
          '999',
          '112',
          '988',
          '12356',
          '12320',
          '400-161-9995',
          '010-82951332',
          '1-800-222-1222',
          '800-273-8255',
        ]),
    })
    .prefault({}),
  lexicons: z
    .strictObject({
      /** false: the entries below are added to the built-in lexicons; true: they replace them. Default false. */
      replaceDefaults: z.boolean().default(false),
      /** Risk categories by name (e.g. `emergency`), merged over the built-in ones. */
      risk: z.record(z.string(), riskCategorySchema).default({}),
      /** Terms that make an otherwise uncategorised question `medium` rather than `low` (symptoms, drugs, chronic illness). */
      mediumRisk: z.array(z.string().min(1)).default([]),
      /** Specialties by name (e.g. `cardiology`), merged over the built-in ones; a record with no hit is `general`. */
      specialty: z.record(z.string(), specialtySchema).default({}),
      /** Terms showing an answer refers the user to care (120, 急诊, emergency, hotline); they raise quality for risky questions. */
      referral: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  complexity: z
    .strictObject({
      /** Reasoning of at least this many units (a Chinese character or two per English word) is `moderate`. Default 80. */
      moderateUnits: z.number().int().min(0).default(80),
      /** Reasoning of at least this many units is `complex`. Default 200. */
      complexUnits: z.number().int().min(0).default(200),
    })
    .prefault({}),
  gold: z
    .strictObject({
      /** Share of train records that go to gold_set.jsonl, best quality first. Default 0.15. */
      fraction: z.number().min(0).max(1).default(0.15),
      /** Upper bound on the gold set's size whatever the fraction. Default 1000. */
      maxSize: z.number().int().min(0).default(1000),
      /** Only train records with quality at or above this (0..1) qualify for the gold set. Default 0.7. */
      minQuality: z.number().min(0).max(1).default(0.7),
    })
    .prefault({}),
  rl: z
    .strictObject({
      /** File `medrl prepare-rl` writes. Default `data/rl/training_prompts.jsonl`. */
      out: z.string().min(1).default('data/rl/training_prompts.jsonl'),
      /** How many times each red_team prompt appears. Default 3. */
      oversampleK: z.number().int().min(0).default(3),
      /** Target share of high and critical prompts in the output, reached by sampling train. Default 0.4. */
      highRiskRatio: z.number().min(0).max(1).default(0.4),
      /** Train records are added until the output holds this many prompts (red_team copies and gold count). Default 2000. */
      targetSize: z.number().int().min(0).default(2000),
      /** `risk_first`: critical, then high, medium, low, shuffled within each level; `shuffled`: one seeded shuffle. */
      order: z.enum(['risk_first', 'shuffled']).default('risk_first'),
    })
    .prefault({}),
});

/** The `data` section after defaults. */
export type DataConfig = z.output<typeof dataSchema>;
/** The `data` section as a user writes it (every field optional). */
export type DataConfigInput = z.input<typeof dataSchema>;
