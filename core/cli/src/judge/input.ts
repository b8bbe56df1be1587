/**
 * Input lines of `medrl judge`: a prepared sample `{id, instruction, input, output, meta}` (question
 * = instruction + input, answer = output) or `{id?, prompt, completion, meta?}`.
 */
import { z } from 'zod';
import type { JudgeItem } from '@medrl/sdk';
import { formatPath, MedrlError, messageOf } from '@medrl/core';

const id = z.union([z.string(), z.number()]).optional();
const meta = z.record(z.string(), z.unknown()).optional();

const pairSchema = z.object({ id, prompt: z.string(), completion: z.string(), meta });
const sampleSchema = z.object({ id, instruction: z.string(), input: z.string().default(''), output: z.string(), meta });

/** The question of a prepared sample: the instruction, then the input on its own line when there is one. */
export function sampleQuestion(instruction: string, input: string): string {
  return input.trim() === '' ? instruction : `${instruction}\n${input}`;
}

/** Parses one line into a judge item; throws a MedrlError saying what is wrong (without the line number). */
export function parseJudgeLine(text: string, lineNo: number): JudgeItem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MedrlError(`invalid JSON (${messageOf(error)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MedrlError('expected a JSON object');
  }
  const record = json as Record<string, unknown>;
  const isPair = 'prompt' in record || 'completion' in record;
  const isSample = 'instruction' in record || 'output' in record;
  if (!isPair && !isSample) {
    throw new MedrlError('expected {prompt, completion} or a prepared sample {instruction, input, output}');
  }
  const parsed = isPair ? pairSchema.safeParse(record) : sampleSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MedrlError(`${formatPath(issue.path)}: ${issue.message}`);
  }
  const data = parsed.data;
  const itemId = data.id === undefined ? `line-${lineNo}` : String(data.id);
  const itemMeta = (data.meta ?? {}) as JudgeItem['meta'];
  if ('prompt' in data) return { id: itemId, prompt: data.prompt, completion: data.completion, meta: itemMeta };
  return { id: itemId, prompt: sampleQuestion(data.instruction, data.input), completion: data.output, meta: itemMeta };
}

/** The id of a broken line when it is at least readable JSON with an id, for the output line. */
export function idOfBrokenLine(text: string): string | undefined {
  try {
    const value = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}
