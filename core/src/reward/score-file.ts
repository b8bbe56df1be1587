/**
 * `medrl reward`: scores a JSONL file of `{id?, prompt, completion, meta?}` lines with the run's
 * composer. Good lines are scored in batches and written in input order; a broken line (not JSON,
 * not UTF-8, longer than the line cap) is reported with its line number and skipped (never
 * silently), and the caller exits non-zero. Lines are read as bytes: an oversize line is never
 * assembled, so a 150 MB line costs no more memory than the cap.
 */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import type { RewardBreakdown, Rollout } from '@medrl/sdk';
import { formatPath } from '../config/load.js';
import { isBlank, readLineBatches } from '../data/lines.js';
import { MedrlError, messageOf } from '../errors.js';
import type { RewardComposer } from './composer.js';
import { toRollout } from './rollout.js';

export const rewardInputSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  prompt: z.string(),
  completion: z.string(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export interface LineError {
  line: number;
  message: string;
}

export interface ScoreFileResult {
  scored: number;
  failed: LineError[];
}

/** The compact output line of `medrl reward`. */
export function breakdownLine(b: RewardBreakdown): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(b.components)) {
    components[name] = {
      raw: c.raw,
      ...(c.normalized !== undefined ? { normalized: c.normalized } : {}),
      weighted: c.weighted,
      reasons: c.reasons,
    };
  }
  return {
    id: b.id,
    total: b.total,
    ...(b.gate ? { gate: b.gate } : {}),
    ...(b.dropped ? { dropped: b.dropped } : {}),
    components,
  };
}

/** Parses one input line into a rollout, or explains why not. */
export function parseRewardLine(text: string, lineNo: number): Rollout {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MedrlError(`invalid JSON (${messageOf(error)})`);
  }
  const parsed = rewardInputSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MedrlError(`${formatPath(issue.path)}: ${issue.message}`);
  }
  const { id, ...rest } = parsed.data;
  return toRollout({ ...rest, id: id === undefined ? undefined : String(id) }, `line-${lineNo}`);
}

/** Longest input line `medrl reward` reads by default (a prompt and a long answer fit many times over). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export async function scoreFile(options: {
  input: string;
  composer: RewardComposer;
  write: (line: string) => Promise<void> | void;
  onError: (error: LineError) => void;
  batchSize?: number;
  /** Lines longer than this are reported, never assembled (memory stays bounded). Default 1 MiB. */
  maxLineBytes?: number;
}): Promise<ScoreFileResult> {
  const batchSize = options.batchSize ?? 64;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const result: ScoreFileResult = { scored: 0, failed: [] };
  let batch: Rollout[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const breakdowns = await options.composer.score(batch);
    for (const b of breakdowns) await options.write(JSON.stringify(breakdownLine(b)));
    result.scored += batch.length;
    batch = [];
  };
  const fail = (line: number, message: string): void => {
    const failure = { line, message };
    result.failed.push(failure);
    options.onError(failure);
  };

  try {
    for await (const lines of readLineBatches(options.input, maxLineBytes)) {
      for (const line of lines) {
        if (!line.oversize && isBlank(line.bytes)) continue;
        if (line.oversize) {
          fail(line.number, `line is ${line.byteLength} bytes, over the limit of ${maxLineBytes} (--max-line-bytes)`);
          continue;
        }
        if (!isUtf8(line.bytes)) {
          fail(line.number, 'line is not valid UTF-8');
          continue;
        }
        try {
          batch.push(parseRewardLine(line.bytes.toString('utf8'), line.number));
        } catch (error) {
          fail(line.number, messageOf(error));
          continue;
        }
        if (batch.length >= batchSize) await flush();
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MedrlError(`input file not found: ${options.input}`);
    throw error;
  }
  await flush();
  return result;
}
