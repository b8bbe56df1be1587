/**
 * Judges a JSONL file, streaming: lines are read, parsed and sent to the judge in batches, with a
 * bounded number of batches in flight (the judge paces its own API calls), and one output line per
 * input line is written in input order. A broken input line gets an output line with its error and
 * is reported with its line number; a missing judgement gets `judgement: null` and the judge's reason.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Judge, Judgement, JudgeItem, PluginContext } from '@medrl/sdk';
import { MedrlError, messageOf } from '../errors.js';
import { describeValue, judgementProblem } from '../reward/contract.js';
import { idOfBrokenLine, parseJudgeLine } from './input.js';
import { noProgress, type Progress } from './progress.js';
import { SummaryBuilder, type JudgeSummary } from './summary.js';

/** One output line of `medrl judge`. */
export interface JudgeOutputLine {
  id: string | null;
  /** 1-based line number in the input file. */
  line: number;
  judge: string;
  judgement: Judgement | null;
  /** The judge-derived reward in [0, 1] (config `judge` weights and safety gate), when judged. */
  reward?: number;
  /** Why the judgement is missing. */
  error?: string;
}

export interface LineError {
  line: number;
  message: string;
}

export interface JudgeFileOptions {
  input: string;
  judge: Judge;
  /** The plugin that registered the judge, named in errors. */
  plugin?: string;
  ctx: PluginContext;
  write: (line: string) => Promise<void> | void;
  /** Called for each broken input line (the caller prints `file:line: message`). */
  onBrokenLine?: (error: LineError) => void;
  /** Judge at most this many (non-blank) input lines. */
  limit?: number;
  /** Items per `judge.judge` call (default 8). */
  batchSize?: number;
  /** Batches awaiting their verdicts at once (default 8): batchSize * maxBatchesInFlight items in flight. */
  maxBatchesInFlight?: number;
  /** Turns a judgement into the reward written beside it. */
  rewardOf?: (judgement: Judgement) => number;
  progress?: Progress;
}

/** The optional way a judge explains a null (DeepSeek judge); not yet part of the SDK contract. */
type Entry = { line: number; item: JudgeItem } | { line: number; broken: string; id?: string };

/** Non-blank lines of the file, up to `limit`: the progress bar's total. */
export async function countInputLines(file: string, limit = Infinity): Promise<number> {
  let count = 0;
  for await (const raw of readLines(file)) {
    if (raw.trim() !== '') count += 1;
    if (count >= limit) break;
  }
  return count;
}

function readLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

export async function judgeFile(options: JudgeFileOptions): Promise<JudgeSummary> {
  const { judge, ctx } = options;
  const batchSize = options.batchSize ?? 8;
  const maxInFlight = options.maxBatchesInFlight ?? 8;
  const limit = options.limit ?? Infinity;
  const progress = options.progress ?? noProgress;
  const summary = new SummaryBuilder(judge.name);
  const explain = judge.failureReason?.bind(judge);
  const who = `judge "${judge.name}"${options.plugin ? ` (plugin "${options.plugin}")` : ''}`;

  let total: number;
  try {
    total = await countInputLines(options.input, limit);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MedrlError(`input file not found: ${options.input}`);
    throw error;
  }
  progress.start(total);

  /** Batches in input order; each resolves to its output lines. */
  const inFlight: Promise<JudgeOutputLine[]>[] = [];
  const launch = (entries: Entry[]): void => {
    inFlight.push(judgeBatch(entries));
  };
  const writeOldest = async (): Promise<void> => {
    const lines = await inFlight.shift()!;
    for (const out of lines) await options.write(JSON.stringify(out));
    progress.advance(lines.length, summary.missing);
  };

  const judgeBatch = async (entries: Entry[]): Promise<JudgeOutputLine[]> => {
    const items = entries.flatMap((e) => ('item' in e ? [e.item] : []));
    let verdicts: unknown[] = [];
    let thrown: string | undefined;
    if (items.length > 0) {
      try {
        const returned: unknown = await judge.judge(items, ctx);
        if (!Array.isArray(returned) || returned.length !== items.length) {
          const got = Array.isArray(returned) ? `${returned.length} judgements` : describeValue(returned);
          thrown = `${who} returned ${got} for ${items.length} items`;
        } else verdicts = returned;
      } catch (error) {
        thrown = `${who} failed: ${messageOf(error)}`;
      }
    }
    let next = 0;
    return entries.map((entry): JudgeOutputLine => {
      if ('broken' in entry) {
        summary.addBroken();
        return { id: entry.id ?? null, line: entry.line, judge: judge.name, judgement: null, error: entry.broken };
      }
      const verdict = thrown === undefined ? (verdicts[next] ?? null) : null;
      next += 1;
      // A verdict outside the contract (scores 0..10, overall 0..1) is no judgement: it must not become a NaN reward.
      const problem = verdict === null ? undefined : judgementProblem(verdict);
      const judgement = problem ? null : (verdict as Judgement | null);
      if (judgement) {
        const raw = options.rewardOf?.(judgement);
        // Six decimals: 0.7, not 0.7000000000000002, in the output file.
        const reward = raw === undefined ? undefined : Math.round(raw * 1e6) / 1e6;
        summary.addJudgement(judgement, reward);
        return {
          id: entry.item.id,
          line: entry.line,
          judge: judge.name,
          judgement,
          ...(reward !== undefined ? { reward } : {}),
        };
      }
      summary.addFailure();
      const error =
        thrown ??
        (problem ? `${who} returned an invalid judgement: ${problem}` : undefined) ??
        explain?.(entry.item.id) ??
        `${who} returned no judgement`;
      return { id: entry.item.id, line: entry.line, judge: judge.name, judgement: null, error };
    });
  };

  let batch: Entry[] = [];
  let lineNo = 0;
  let seen = 0;
  try {
    for await (const raw of readLines(options.input)) {
      lineNo += 1;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (seen >= limit || ctx.signal?.aborted) break;
      seen += 1;
      try {
        batch.push({ line: lineNo, item: parseJudgeLine(text, lineNo) });
      } catch (error) {
        const message = messageOf(error);
        options.onBrokenLine?.({ line: lineNo, message });
        batch.push({ line: lineNo, broken: `line ${lineNo}: ${message}`, id: idOfBrokenLine(text) });
      }
      if (batch.length >= batchSize) {
        launch(batch);
        batch = [];
        while (inFlight.length >= maxInFlight) await writeOldest();
      }
    }
    if (batch.length > 0) launch(batch);
    while (inFlight.length > 0) await writeOldest();
  } finally {
    progress.stop();
  }
  if (ctx.signal?.aborted) {
    throw new MedrlError(
      'interrupted: the output was not written (judgements already paid for stay in the judge cache)',
    );
  }
  return summary.build(judge.stats?.() ?? {});
}
