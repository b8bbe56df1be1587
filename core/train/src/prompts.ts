/**
 * Reading training prompts and SFT records from JSONL. Accepted records: RL prompts
 * (`{id?, prompt, meta?}` or `{id?, messages: [...], meta?}`) and prepared samples
 * (`{id, instruction, input, output, meta}`, as `medrl prepare` writes). Every bad line fails with
 * its file and line number.
 */
import { readFile } from 'node:fs/promises';
import type { ChatMessage, SampleMeta } from '@medrl/sdk';
import { MedrlError } from '@medrl/core';

export interface TrainPrompt {
  id: string;
  /** The user's question as plain text (what rewards see as `prompt`). */
  prompt: string;
  /** The conversation to render with the chat template (system turns kept). */
  messages: ChatMessage[];
  meta: SampleMeta;
  /** The reference target (`<think>...</think>answer`), when the record has one (SFT). */
  output?: string;
}

export class DataFileError extends MedrlError {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One record to a prompt; throws a message without location (the caller adds file:line). */
export function recordToPrompt(record: unknown, fallbackId: string): TrainPrompt {
  if (!isObject(record)) throw new Error('a record must be a JSON object');
  const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : fallbackId;
  const meta = isObject(record.meta) ? (record.meta as SampleMeta) : {};
  const output = typeof record.output === 'string' ? record.output : undefined;
  if (Array.isArray(record.messages)) {
    const messages = record.messages.map((m, i) => {
      if (!isObject(m) || typeof m.role !== 'string' || typeof m.content !== 'string') {
        throw new Error(`messages[${i}] needs a string role and content`);
      }
      return { role: m.role as ChatMessage['role'], content: m.content };
    });
    const turns = messages.filter((m) => m.role !== 'assistant');
    const user = [...turns].reverse().find((m) => m.role === 'user');
    if (!user) throw new Error('messages has no user turn');
    return { id, prompt: user.content, messages: turns, meta, output };
  }
  let prompt: string | undefined;
  if (typeof record.prompt === 'string') prompt = record.prompt;
  else if (typeof record.instruction === 'string') {
    const input = typeof record.input === 'string' ? record.input.trim() : '';
    // As `medrl prepare-rl` joins them: the instruction, a blank line, then the input.
    prompt = input ? `${record.instruction}\n\n${input}` : record.instruction;
  }
  if (prompt === undefined || prompt.trim() === '') {
    throw new Error('needs a non-empty "prompt", "messages" or "instruction" field');
  }
  return { id, prompt, messages: [{ role: 'user', content: prompt }], meta, output };
}

/** Reads every non-blank line of a JSONL file as a prompt. */
export async function readPrompts(file: string, opts: { requireOutput?: boolean } = {}): Promise<TrainPrompt[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DataFileError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const out: TrainPrompt[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new DataFileError(`${file}:${index + 1}: invalid JSON: ${(error as Error).message}`);
    }
    try {
      const prompt = recordToPrompt(record, `${index + 1}`);
      if (opts.requireOutput && prompt.output === undefined) throw new Error('needs an "output" string for SFT');
      out.push(prompt);
    } catch (error) {
      throw new DataFileError(`${file}:${index + 1}: ${(error as Error).message}`);
    }
  });
  return out;
}
