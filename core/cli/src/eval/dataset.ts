/** Reading the processed splits (`medrl prepare` output, SDK `Sample` schema) into evaluation items. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SampleMeta } from '@medrl/sdk';
import { MedrlError } from '@medrl/core';
import type { EvalItem } from './types.js';

/** The fields evaluation needs; other fields of a Sample are carried along untouched. */
const sampleLine = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  instruction: z.string(),
  input: z.string().default(''),
  meta: z
    .looseObject({
      risk_level: z.enum(['low', 'medium', 'high', 'critical']).optional(),
      risk_categories: z.array(z.string()).optional(),
      specialty: z.string().optional(),
      lang: z.string().optional(),
    })
    .default({}),
});

/** The question as the user asked it: instruction, then input when there is one. */
export function promptOf(instruction: string, input: string): string {
  return [instruction.trim(), input.trim()].filter((part) => part.length > 0).join('\n');
}

/** The reference answer of a sample, when it has an `output`. */
function referenceOf(record: Record<string, unknown>): string | undefined {
  return typeof record.output === 'string' && record.output.length > 0 ? record.output : undefined;
}

export interface ReadSplitOptions {
  /** Keep at most this many samples (the first ones in file order); undefined for all. */
  limit?: number;
  /** Risk levels that make a test sample part of the held-out high-risk set. */
  highRiskLevels: readonly string[];
  /** The split whose high-risk part is reported on its own (test: held out from training). */
  heldOutSplit: string;
}

/** Parses one split file; errors name the file, line and field. */
export function parseSplit(text: string, file: string, split: string, options: ReadSplitOptions): EvalItem[] {
  const items: EvalItem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    if (options.limit !== undefined && items.length >= options.limit) break;
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const where = `${file}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new MedrlError(`${where}: invalid JSON (${(error as Error).message})`);
    }
    const parsed = sampleLine.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MedrlError(`${where}: field "${issue.path.join('.') || '(line)'}": ${issue.message}`);
    }
    const record = parsed.data;
    const prompt = promptOf(record.instruction, record.input);
    if (prompt === '') throw new MedrlError(`${where}: empty question (instruction and input are both blank)`);
    const meta = { ...record.meta } as SampleMeta;
    const reference = referenceOf(record);
    if (reference !== undefined && meta.reference === undefined) meta.reference = reference;
    items.push({
      id: record.id,
      split,
      prompt,
      meta,
      heldOutHighRisk: split === options.heldOutSplit && options.highRiskLevels.includes(meta.risk_level ?? ''),
    });
  }
  return items;
}

/** Reads `<dataDir>/<split>.jsonl` for each split, in the order given. */
export async function readSplits(
  dataDir: string,
  splits: readonly string[],
  options: ReadSplitOptions,
): Promise<EvalItem[]> {
  const all: EvalItem[] = [];
  for (const split of splits) {
    const file = path.join(dataDir, `${split}.jsonl`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MedrlError(
          `split "${split}": ${file} not found; run \`medrl prepare\` first or choose splits with --splits`,
        );
      }
      throw error;
    }
    all.push(...parseSplit(text, file, split, options));
  }
  return all;
}
