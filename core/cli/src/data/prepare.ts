/**
 * `runPrepare`: raw JSONL in, train/dev/test/gold_set/red_team/rejected/duplicates JSONL and
 * stats.json out. Two streaming passes keep memory flat in the input size: pass 1 reads every input
 * line, cleans, de-identifies, dedupes and classifies it, and appends kept records to a temporary
 * file while keeping only a few numbers per record; the split is then computed from those numbers;
 * pass 2 streams the temporary file into the outputs. All outputs are written in a temporary
 * directory and renamed into place at the end, so a failed run leaves the previous outputs intact.
 */
import { hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import type { Logger, RiskLevel, Sample } from '@medrl/sdk';
import { dataSchema, type DataConfig, type DataConfigInput, isBlank, readLineBatches } from '@medrl/core';
import { cleanText, emptyCleanFlags, joinThink, removeControl } from './clean.js';
import { Classifier, RISK_ORDER } from './classify.js';
import { dedupeText, Deduper } from './dedupe.js';
import { Deidentifier, type PiiKind } from './deidentify.js';
import { GrowableArray } from './growable.js';
import { DataError } from './errors.js';
import { writeFileAtomic } from '@medrl/sdk/io';
import { findJsonlFiles, relativePosix } from './files.js';
import { normalizeRaw, REJECT_REASONS, type RawFormat, type RejectReason } from './formats.js';
import { JsonlWriter } from './jsonl-writer.js';
import { SPLITS, stratifiedSplit, type SplitName } from './split.js';

export interface PrepareOptions {
  /** The `data` config section; missing fields take their defaults. */
  data?: DataConfigInput;
  /** Overrides `data.input`. */
  input?: string;
  /** Overrides `data.processedDir`. */
  out?: string;
  /** Overrides `data.seed`. */
  seed?: number;
  /** Stop at the first rejected line with a `DataError` naming file and line. */
  strict?: boolean;
  /** Base of relative paths (the config file's directory). Default: the working directory. */
  cwd?: string;
  /** Called once per rejected line, in input order (the CLI prints `file:line: reason`). */
  onReject?: (rejection: Rejection) => void;
  logger?: Logger;
}

/** One rejected input line, as written to rejected.jsonl. */
export interface Rejection {
  /** Path relative to the input directory, with `/` separators. */
  file: string;
  line: number;
  reason: RejectReason;
  /** What exactly is wrong (field, type, size). */
  detail: string;
  /** The start of the line, de-identified, for a human to recognise it. */
  excerpt: string;
}

export interface DuplicateCounts {
  exact: number;
  near: number;
}

/** Per-file (and total) accounting: `lines = kept + duplicates.exact + duplicates.near + rejected`. */
export interface LineCounts {
  /** Non-blank lines read. */
  lines: number;
  kept: number;
  duplicates: DuplicateCounts;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
}

export interface FileStats extends LineCounts {
  file: string;
}

type Counts = Record<string, number>;

/** What stats.json holds: no paths, times or other machine details, so equal inputs give equal bytes. */
export interface PrepareStatsFile {
  seed: number;
  settings: {
    split: DataConfig['split'];
    maxLineBytes: number;
    nearDuplicates: DataConfig['nearDuplicates'];
    deidentify: boolean;
    gold: DataConfig['gold'];
  };
  files: FileStats[];
  totals: LineCounts;
  splits: Record<SplitName | 'gold_set' | 'red_team', number>;
  distribution: {
    risk_level: Counts;
    risk_categories: Counts;
    specialty: Counts;
    lang: Counts;
    complexity: Counts;
    format: Counts;
  };
  /** Risk level and specialty counts per split (the stratification at a glance). */
  bySplit: Record<SplitName, { risk_level: Counts; specialty: Counts }>;
  deidentified: { records: number; replacements: Partial<Record<PiiKind, number>> };
  cleaning: { html: number; entities: number; control: number };
}

export interface PrepareStats extends PrepareStatsFile {
  /** Absolute paths of everything written, by output name. */
  outputs: Record<string, string>;
  durationMs: number;
}

const OUTPUT_FILES = {
  train: 'train.jsonl',
  dev: 'dev.jsonl',
  test: 'test.jsonl',
  gold_set: 'gold_set.jsonl',
  red_team: 'red_team.jsonl',
  rejected: 'rejected.jsonl',
  duplicates: 'duplicates.jsonl',
  stats: 'stats.json',
} as const;

const EXCERPT_CHARS = 120;
const LF = 0x0a;

function emptyCounts(): LineCounts {
  return { lines: 0, kept: 0, duplicates: { exact: 0, near: 0 }, rejected: 0, rejectedByReason: {} };
}

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** A copy with keys in sorted order, so that JSON output does not depend on first-seen order. */
function sortedCounts(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** State of pass 1, and the few numbers kept per record for the split and pass 2. */
class Pass1 {
  readonly deidentifier: Deidentifier;
  readonly classifier: Classifier;
  readonly deduper: Deduper;
  readonly totals = emptyCounts();
  readonly files: FileStats[] = [];
  // A few numbers per kept record, in typed arrays (ids live in the deduper as 64-bit keys).
  readonly strata = new GrowableArray((n) => new Uint16Array(n));
  readonly stratumNames: string[] = [];
  private readonly stratumCodes = new Map<string, number>();
  /** Quality times 1000. */
  readonly quality = new GrowableArray((n) => new Uint16Array(n));
  readonly riskRank = new GrowableArray((n) => new Uint8Array(n));
  readonly distribution: PrepareStatsFile['distribution'] = {
    risk_level: {},
    risk_categories: {},
    specialty: {},
    lang: {},
    complexity: {},
    format: {},
  };
  readonly deidentified = { records: 0, replacements: {} as Partial<Record<PiiKind, number>> };
  readonly cleaning = { html: 0, entities: 0, control: 0 };

  constructor(
    readonly config: DataConfig,
    readonly options: PrepareOptions,
    readonly kept: JsonlWriter,
    readonly rejected: JsonlWriter,
    readonly duplicates: JsonlWriter,
  ) {
    this.deidentifier = new Deidentifier(config.deidentify.keepNumbers);
    this.classifier = new Classifier(config);
    this.deduper = new Deduper({
      near: config.nearDuplicates.enabled,
      threshold: config.nearDuplicates.threshold,
      shingleSize: config.nearDuplicates.shingleSize,
    });
  }

  /** The id of kept record `index`. */
  idOf(index: number): string {
    return 'med-' + this.deduper.keyHex(index);
  }

  private stratumCode(name: string): number {
    let code = this.stratumCodes.get(name);
    if (code === undefined) {
      code = this.stratumNames.push(name) - 1;
      this.stratumCodes.set(name, code);
    }
    return code;
  }

  reject(fileStats: FileStats, line: number, reason: RejectReason, rawDetail: string, bytes: Buffer): void {
    // JSON.parse quotes part of the line in its message, so the detail is de-identified like the excerpt.
    const detail = this.deidentifier.redact(rawDetail, {});
    const raw = removeControl(bytes.toString('utf8', 0, Math.min(bytes.length, EXCERPT_CHARS * 4)), emptyCleanFlags());
    const excerpt = this.deidentifier.redact(raw.slice(0, EXCERPT_CHARS), {});
    const rejection: Rejection = { file: fileStats.file, line, reason, detail, excerpt };
    for (const counts of [fileStats, this.totals]) {
      counts.rejected += 1;
      bump(counts.rejectedByReason as Counts, reason);
    }
    this.rejected.push(rejection);
    this.options.onReject?.(rejection);
    if (this.options.strict) throw new DataError(`${fileStats.file}:${line}: ${reason}: ${detail} (--strict)`);
  }

  /** Handles one non-blank line. */
  line(fileStats: FileStats, number: number, bytes: Buffer, byteLength: number, oversize: boolean): void {
    fileStats.lines += 1;
    this.totals.lines += 1;
    if (oversize) {
      const limit = this.config.maxLineBytes;
      return this.reject(fileStats, number, 'line_too_long', `line is ${byteLength} bytes, over the limit of ${limit}`, bytes);
    }
    if (!isUtf8(bytes)) return this.reject(fileStats, number, 'invalid_utf8', 'line is not valid UTF-8', bytes);
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return this.reject(fileStats, number, 'invalid_json', (error as Error).message, bytes);
    }
    const normalized = normalizeRaw(value);
    if (!normalized.ok) return this.reject(fileStats, number, normalized.reason, normalized.detail, bytes);
    this.keepOrDrop(fileStats, number, normalized.record.format, normalized.record, bytes);
  }

  private keepOrDrop(
    fileStats: FileStats,
    number: number,
    format: RawFormat,
    raw: { instruction: string; input: string; think: string; answer: string },
    bytes: Buffer,
  ): void {
    const flags = emptyCleanFlags();
    const pii: Partial<Record<PiiKind, number>> = {};
    const clean = (text: string): string => {
      const cleaned = cleanText(text, flags);
      return this.config.deidentify.enabled ? this.deidentifier.redact(cleaned, pii) : cleaned;
    };
    let instruction = clean(raw.instruction);
    let input = clean(raw.input);
    const think = clean(raw.think);
    const answer = clean(raw.answer);
    if (instruction === '' && input !== '') [instruction, input] = [input, ''];
    if (instruction === '') return this.reject(fileStats, number, 'empty_question', 'the question is empty after cleaning', bytes);
    if (answer === '') return this.reject(fileStats, number, 'empty_answer', 'the answer is empty after cleaning', bytes);

    const output = joinThink(think, answer);
    const key = dedupeText(`${instruction}\n${input}\n${output}`);
    // The id is the first 64 bits of the SHA-1 of the normalised text (one-shot hashing, as hex).
    const digest = hash('sha1', key, 'hex');
    const keyHigh = parseInt(digest.slice(0, 8), 16);
    const keyLow = parseInt(digest.slice(8, 16), 16);
    const id = `med-${digest.slice(0, 16)}`;
    const duplicate = this.deduper.check(keyHigh, keyLow, key);
    if (duplicate !== null) {
      fileStats.duplicates[duplicate.kind] += 1;
      this.totals.duplicates[duplicate.kind] += 1;
      this.duplicates.push({
        file: fileStats.file,
        line: number,
        kind: duplicate.kind,
        of: this.idOf(duplicate.of),
        similarity: duplicate.similarity,
      });
      return;
    }

    const deidentified = Object.keys(pii).length > 0;
    const question = input === '' ? instruction : `${instruction}\n${input}`;
    const c = this.classifier.classify({ question, think, answer, deidentified, hadMarkup: flags.html || flags.entities });
    const sample: Sample = {
      id,
      instruction,
      input,
      output,
      meta: {
        source: `${fileStats.file}:${number}`,
        format,
        specialty: c.specialty,
        risk_level: c.risk_level,
        risk_categories: c.risk_categories,
        complexity: c.complexity,
        lang: c.lang,
        is_deidentified: deidentified,
        quality: c.quality,
      },
    };
    this.kept.push(sample);

    fileStats.kept += 1;
    this.totals.kept += 1;
    this.strata.push(this.stratumCode(`${c.risk_level}|${c.specialty}`));
    this.quality.push(Math.round(c.quality * 1000));
    this.riskRank.push(RISK_ORDER.indexOf(c.risk_level));
    const d = this.distribution;
    bump(d.risk_level, c.risk_level);
    for (const category of c.risk_categories) bump(d.risk_categories, category);
    bump(d.specialty, c.specialty);
    bump(d.lang, c.lang);
    bump(d.complexity, c.complexity);
    bump(d.format, format);
    if (deidentified) {
      this.deidentified.records += 1;
      for (const [kind, n] of Object.entries(pii)) bump(this.deidentified.replacements as Counts, kind, n);
    }
    if (flags.html) this.cleaning.html += 1;
    if (flags.entities) this.cleaning.entities += 1;
    if (flags.control) this.cleaning.control += 1;
  }

  async readFile(file: string, inputRoot: string): Promise<void> {
    const fileStats: FileStats = { file: relativePosix(inputRoot, file), ...emptyCounts() };
    this.files.push(fileStats);
    for await (const batch of readLineBatches(file, this.config.maxLineBytes)) {
      for (const line of batch) {
        if (!line.oversize && isBlank(line.bytes)) continue;
        this.line(fileStats, line.number, line.bytes, line.byteLength, line.oversize);
      }
      await Promise.all([this.kept.flush(), this.rejected.flush(), this.duplicates.flush()]);
    }
  }
}

/** Resolves the options over the config section: flags beat config, config beats defaults. */
export function resolvePrepareConfig(options: PrepareOptions): { config: DataConfig; input: string; out: string } {
  const parsed = dataSchema.safeParse(options.data ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `data.${issue.path.join('.')}: ${issue.message}`);
    throw new DataError(`invalid data config:\n  - ${issues.join('\n  - ')}`);
  }
  const config: DataConfig = { ...parsed.data, seed: options.seed ?? parsed.data.seed };
  if (!Number.isInteger(config.seed) || config.seed < 0) {
    throw new DataError(`--seed must be a non-negative integer, got ${options.seed}`);
  }
  const cwd = options.cwd ?? process.cwd();
  return {
    config,
    input: path.resolve(cwd, options.input ?? config.input),
    out: path.resolve(cwd, options.out ?? config.processedDir),
  };
}

/**
 * Flags the gold set: the best train records by quality, ties broken by id, among those at or above
 * `minQuality`; `fraction` of train and at most `maxSize`. Records are counted per quality level
 * (quality is stored times 1000): whole levels are taken from the top, and only the level that does
 * not fit whole is sorted by id, so the cost stays linear in the number of records.
 */
function selectGold(
  assignment: Uint8Array,
  quality: GrowableArray<Uint16Array>,
  settings: DataConfig['gold'],
  compareIds: (a: number, b: number) => number,
): Uint8Array {
  const minQuality = Math.round(settings.minQuality * 1000);
  const perLevel = new Int32Array(1001);
  let train = 0;
  for (let i = 0; i < assignment.length; i++) {
    if (assignment[i] !== 0) continue;
    train += 1;
    if (quality.get(i) >= minQuality) perLevel[quality.get(i)] += 1;
  }
  let remaining = Math.min(settings.maxSize, Math.round(settings.fraction * train));
  const wholeLevel = new Uint8Array(1001);
  let partialLevel = -1;
  for (let level = 1000; level >= minQuality && remaining > 0; level--) {
    if (perLevel[level] <= remaining) {
      wholeLevel[level] = 1;
      remaining -= perLevel[level];
    } else {
      partialLevel = level;
    }
    if (partialLevel >= 0) break;
  }
  const gold = new Uint8Array(assignment.length);
  const partial = new Int32Array(partialLevel >= 0 ? perLevel[partialLevel] : 0);
  let n = 0;
  for (let i = 0; i < assignment.length; i++) {
    if (assignment[i] !== 0) continue;
    const level = quality.get(i);
    if (wholeLevel[level] === 1) gold[i] = 1;
    else if (level === partialLevel) partial[n++] = i;
  }
  for (const i of partial.sort(compareIds).subarray(0, remaining)) gold[i] = 1;
  return gold;
}

function checkReconciled(counts: LineCounts, what: string): void {
  const accounted = counts.kept + counts.duplicates.exact + counts.duplicates.near + counts.rejected;
  if (accounted !== counts.lines) {
    throw new Error(`internal error: ${what}: ${counts.lines} lines read but ${accounted} accounted for`);
  }
}

export async function runPrepare(options: PrepareOptions = {}): Promise<PrepareStats> {
  const started = performance.now();
  const { config, input, out } = resolvePrepareConfig(options);
  // Outputs of an earlier run inside the input directory are not input.
  const files = (await findJsonlFiles(input)).filter((file) => {
    const inOut = path.relative(out, file);
    return inOut.startsWith('..') || path.isAbsolute(inOut);
  });
  if (files.length === 0) throw new DataError(`no *.jsonl files under ${input}`);
  const inputRoot = (await stat(input)).isFile() ? path.dirname(input) : input;

  await mkdir(out, { recursive: true });
  const temp = await mkdtemp(path.join(out, '.prepare-'));
  const writers: JsonlWriter[] = [];
  const open = (name: string): JsonlWriter => {
    const writer = new JsonlWriter(path.join(temp, name));
    writers.push(writer);
    return writer;
  };
  try {
    // Pass 1: read, clean, dedupe, classify.
    const kept = open('kept.jsonl');
    const rejected = open(OUTPUT_FILES.rejected);
    const duplicates = open(OUTPUT_FILES.duplicates);
    const pass1 = new Pass1(config, options, kept, rejected, duplicates);
    for (const file of files) await pass1.readFile(file, inputRoot);
    await Promise.all([kept.close(), rejected.close(), duplicates.close()]);
    for (const fileStats of pass1.files) checkReconciled(fileStats, fileStats.file);
    checkReconciled(pass1.totals, 'all files');

    // The split, the gold set (best train records) and the red team (high and critical train records).
    const count = pass1.totals.kept;
    const compareIds = (a: number, b: number) => pass1.deduper.compareKeys(a, b);
    const assignment = stratifiedSplit(
      { count, stratumOf: (i) => pass1.strata.get(i), stratumNames: pass1.stratumNames, compare: compareIds },
      config.split,
      config.seed,
    );
    const highRank = RISK_ORDER.indexOf('high');
    const gold = selectGold(assignment, pass1.quality, config.gold, compareIds);

    // Pass 2: route kept records to their outputs.
    const splitWriters = SPLITS.map((name) => open(OUTPUT_FILES[name]));
    const goldWriter = open(OUTPUT_FILES.gold_set);
    const redWriter = open(OUTPUT_FILES.red_team);
    const perStratum = SPLITS.map(() => new Int32Array(pass1.stratumNames.length));
    let index = 0;
    const route = (line: Buffer): void => {
      const split = assignment[index];
      splitWriters[split].pushRaw(line);
      perStratum[split][pass1.strata.get(index)] += 1;
      if (split === 0 && gold[index] === 1) goldWriter.pushRaw(line);
      if (split === 0 && pass1.riskRank.get(index) >= highRank) redWriter.pushRaw(line);
      index += 1;
    };
    // The kept file's lines (our own JSON.stringify, one per line) are routed as bytes, newline included.
    let carry: Buffer | null = null;
    for await (const chunk of createReadStream(kept.file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let start = 0;
      if (carry) {
        const first = chunk.indexOf(LF);
        if (first === -1) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        route(Buffer.concat([carry, chunk.subarray(0, first + 1)]));
        start = first + 1;
      }
      for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
        route(chunk.subarray(start, end + 1));
        start = end + 1;
      }
      carry = start < chunk.length ? chunk.subarray(start) : null;
      await Promise.all([...splitWriters, goldWriter, redWriter].map((writer) => writer.flush()));
    }
    await Promise.all([...splitWriters, goldWriter, redWriter].map((writer) => writer.close()));
    if (index !== count || carry !== null) throw new Error(`internal error: pass 2 read ${index} of ${count} records`);
    const bySplit = Object.fromEntries(
      SPLITS.map((name, split) => {
        const counts = { risk_level: {} as Counts, specialty: {} as Counts };
        pass1.stratumNames.forEach((stratum, code) => {
          if (perStratum[split][code] === 0) return;
          const [level, specialty] = stratum.split('|');
          bump(counts.risk_level, level, perStratum[split][code]);
          bump(counts.specialty, specialty, perStratum[split][code]);
        });
        return [name, counts];
      }),
    ) as Record<SplitName, { risk_level: Counts; specialty: Counts }>;

    const d = pass1.distribution;
    const statsFile: PrepareStatsFile = {
      seed: config.seed,
      settings: {
        split: config.split,
        maxLineBytes: config.maxLineBytes,
        nearDuplicates: config.nearDuplicates,
        deidentify: config.deidentify.enabled,
        gold: config.gold,
      },
      files: pass1.files.map((f) => ({ ...f, rejectedByReason: sortedCounts(f.rejectedByReason as Counts) })),
      totals: { ...pass1.totals, rejectedByReason: sortedCounts(pass1.totals.rejectedByReason as Counts) },
      splits: {
        train: splitWriters[0].lines,
        dev: splitWriters[1].lines,
        test: splitWriters[2].lines,
        gold_set: goldWriter.lines,
        red_team: redWriter.lines,
      },
      distribution: {
        risk_level: Object.fromEntries(RISK_ORDER.map((level: RiskLevel) => [level, d.risk_level[level] ?? 0])),
        risk_categories: sortedCounts(d.risk_categories),
        specialty: sortedCounts(d.specialty),
        lang: sortedCounts(d.lang),
        complexity: sortedCounts(d.complexity),
        format: sortedCounts(d.format),
      },
      bySplit: Object.fromEntries(
        SPLITS.map((name) => [
          name,
          { risk_level: sortedCounts(bySplit[name].risk_level), specialty: sortedCounts(bySplit[name].specialty) },
        ]),
      ) as PrepareStatsFile['bySplit'],
      deidentified: {
        records: pass1.deidentified.records,
        replacements: sortedCounts(pass1.deidentified.replacements as Counts),
      },
      cleaning: pass1.cleaning,
    };
    await writeFileAtomic(path.join(temp, OUTPUT_FILES.stats), JSON.stringify(statsFile, null, 2) + '\n');

    // Publish: every output is renamed into place (each rename is atomic).
    const outputs: Record<string, string> = {};
    for (const [name, fileName] of Object.entries(OUTPUT_FILES)) {
      outputs[name] = path.join(out, fileName);
      await rename(path.join(temp, fileName), outputs[name]);
    }
    const stats: PrepareStats = { ...statsFile, outputs, durationMs: Math.round(performance.now() - started) };
    options.logger?.info(
      `prepare: ${stats.totals.lines} lines -> ${stats.totals.kept} kept, ` +
        `${stats.totals.duplicates.exact + stats.totals.duplicates.near} duplicates, ${stats.totals.rejected} rejected`,
    );
    return stats;
  } finally {
    for (const writer of writers) writer.destroy();
    await rm(temp, { recursive: true, force: true });
  }
}

export { REJECT_REASONS };
