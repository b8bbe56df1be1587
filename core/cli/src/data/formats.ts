/**
 * The raw formats `medrl prepare` accepts, each mapped to one shape before cleaning:
 * - `r1`: `{question, think?, answer}` (as ModelScope's delicate_medical_r1_data);
 * - `alpaca`: `{instruction, input?, output}`, `output` possibly `<think>...</think>answer`;
 * - `chat`: `{messages: [{role, content, reasoning_content?}, ...]}`, answered by the last assistant message.
 * Other fields are ignored. A missing or null question/answer is empty; any other non-string is a type error.
 */
import { splitThink } from './clean.js';

export type RawFormat = 'r1' | 'alpaca' | 'chat';

export const REJECT_REASONS = [
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'unknown_schema',
  'wrong_field_type',
  'empty_question',
  'empty_answer',
  'line_too_long',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A record in the common shape, text not yet cleaned. */
export interface RawRecord {
  format: RawFormat;
  instruction: string;
  input: string;
  think: string;
  answer: string;
}

export type NormalizeResult = { ok: true; record: RawRecord } | { ok: false; reason: RejectReason; detail: string };

class FieldError extends Error {
  constructor(readonly reason: RejectReason, detail: string) {
    super(detail);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A string field; undefined and null read as ''. */
function text(obj: Record<string, unknown>, field: string, where = ''): string {
  const value = obj[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    throw new FieldError('wrong_field_type', `field "${where}${field}" must be a string, got ${typeName(value)}`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromR1(obj: Record<string, unknown>): RawRecord {
  const instruction = text(obj, 'question');
  const think = text(obj, 'think');
  const split = splitThink(text(obj, 'answer'));
  return { format: 'r1', instruction, input: '', think: think || split.think, answer: split.answer };
}

function fromAlpaca(obj: Record<string, unknown>): RawRecord {
  const split = splitThink(text(obj, 'output'));
  return { format: 'alpaca', instruction: text(obj, 'instruction'), input: text(obj, 'input'), ...split };
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function fromChat(obj: Record<string, unknown>): RawRecord {
  const messages = obj.messages;
  if (!Array.isArray(messages)) {
    throw new FieldError('wrong_field_type', `field "messages" must be an array, got ${typeName(messages)}`);
  }
  const turns = messages.map((message, index) => {
    if (!isObject(message)) {
      throw new FieldError('wrong_field_type', `field "messages[${index}]" must be an object, got ${typeName(message)}`);
    }
    const role = text(message, 'role', `messages[${index}].`);
    if (!ROLES.has(role)) {
      throw new FieldError(
        'wrong_field_type',
        `field "messages[${index}].role" must be system, user, assistant or tool, got "${role}"`,
      );
    }
    return {
      role,
      content: text(message, 'content', `messages[${index}].`),
      reasoning: text(message, 'reasoning_content', `messages[${index}].`),
    };
  });
  const answerAt = turns.findLastIndex((turn) => turn.role === 'assistant');
  const questionAt = turns.findLastIndex((turn, index) => turn.role === 'user' && (answerAt < 0 || index < answerAt));
  const reply = answerAt >= 0 ? turns[answerAt] : undefined;
  const split = splitThink(reply?.content ?? '');
  // Earlier turns become the context (`input`), without their reasoning.
  const history = turns
    .slice(0, Math.max(questionAt, 0))
    .filter((turn) => turn.role === 'user' || turn.role === 'assistant')
    .map((turn) => `${turn.role}: ${splitThink(turn.content).answer.trim()}`)
    .join('\n');
  return {
    format: 'chat',
    instruction: questionAt >= 0 ? turns[questionAt].content : '',
    input: history,
    think: reply?.reasoning || split.think,
    answer: split.answer,
  };
}

/** Maps one parsed JSON value to the common shape, or says why it cannot be. */
export function normalizeRaw(value: unknown): NormalizeResult {
  if (!isObject(value)) return { ok: false, reason: 'not_an_object', detail: `expected a JSON object, got ${typeName(value)}` };
  try {
    if ('messages' in value) return { ok: true, record: fromChat(value) };
    if ('instruction' in value || 'output' in value) return { ok: true, record: fromAlpaca(value) };
    if ('question' in value || 'answer' in value) return { ok: true, record: fromR1(value) };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, reason: error.reason, detail: error.message };
    throw error;
  }
  const keys = Object.keys(value).slice(0, 8).join(', ');
  return {
    ok: false,
    reason: 'unknown_schema',
    detail: `no known format: expected {question, answer}, {instruction, output} or {messages}; got keys [${keys}]`,
  };
}
