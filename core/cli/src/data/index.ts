/**
 * The data pipeline as services: `runPrepare` (raw JSONL to cleaned, split, classified records) and
 * `runPrepareRl` (processed records to RL prompts). Commands and the training job call these;
 * docs/data.md describes every rule.
 * This folder imports only node built-ins, its npm dependencies (entities, pure-rand), @medrl/sdk
 * types, ../config/sections/data and ../errors.
 */
export { runPrepare, resolvePrepareConfig, REJECT_REASONS } from './prepare.js';
export type { PrepareOptions, PrepareStats, PrepareStatsFile, FileStats, LineCounts, Rejection } from './prepare.js';
export type { RejectReason, RawFormat } from './formats.js';
export { DataError } from './errors.js';
export { runPrepareRl, resolvePrepareRlConfig } from './prepare-rl.js';
export type { PrepareRlOptions, PrepareRlStats, RlPrompt, RlPool } from './prepare-rl.js';
