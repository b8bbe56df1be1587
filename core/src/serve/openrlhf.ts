/**
 * OpenRLHF's remote reward protocol (POST /get_reward), as its trainer speaks it:
 *
 *   request  {"query": [str], "prompts": [str], "labels": [any]}
 *   response {"rewards": [float], "scores": [float], "extra_logs": {"<name>": [float]}}
 *
 * `query` is the decoded token sequence prompt + response with special tokens kept
 * (`tokenizer.decode(..., skip_special_tokens=False)`), so it carries the chat template, the
 * end-of-turn marker and sometimes padding; `prompts` is the prompt text as the dataset rendered it
 * (with the chat template when `--apply_chat_template`). OpenRLHF trains on `rewards`, filters
 * with `scores` (`--dynamic_filtering`) and logs the mean of every `extra_logs` key.
 *
 * Pure functions: no HTTP here, so the protocol is tested on its own.
 */
import type { ChatMessage, RewardBreakdown, SampleMeta } from '@medrl/sdk';

/** Qwen (ChatML) markers. */
const IM_START = '<|im_start|>';
const IM_END = '<|im_end|>';
const END_OF_TEXT = '<|endoftext|>';
const ASSISTANT_HEADER = `${IM_START}assistant\n`;
/** How much of the prompt's end is searched for when the prompt is not an exact prefix of the query. */
const PROMPT_TAIL = 64;

const MESSAGE = /<\|im_start\|>(system|user|assistant|tool)\n([\s\S]*?)<\|im_end\|>/g;

/** A query that cannot be split into prompt and response; `index` is its position in the batch. */
export class QuerySplitError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SplitQuery {
  /** The patient's question: the last user message, or the whole prompt when it has no chat markers. */
  question: string;
  /** The generated text, with any assistant prefill of the prompt (e.g. `<think>\n`) put back in front. */
  completion: string;
  /** The conversation before the completion, when the prompt is in ChatML. */
  messages?: ChatMessage[];
}

/** Removes padding (`<|endoftext|>`, Qwen's pad token) from both ends. */
export function stripPadding(text: string): string {
  let start = 0;
  let end = text.length;
  while (text.startsWith(END_OF_TEXT, start)) start += END_OF_TEXT.length;
  while (end - END_OF_TEXT.length >= start && text.endsWith(END_OF_TEXT, end)) end -= END_OF_TEXT.length;
  return text.slice(start, end);
}

/**
 * Removes the generation's end: trailing padding and whitespace, then the one stop token that ended
 * the turn. Everything before it is the response and is scored, including text after an earlier
 * `<|im_end|>`: cutting at the first marker would let a policy hide text from the reward.
 */
function trimStop(response: string): string {
  let end = response.length;
  const skipPadding = () => {
    for (;;) {
      while (end > 0 && /\s/.test(response[end - 1]!)) end -= 1;
      if (!response.endsWith(END_OF_TEXT, end)) return;
      end -= END_OF_TEXT.length;
    }
  };
  skipPadding();
  if (response.endsWith(IM_END, end)) end -= IM_END.length;
  return response.slice(0, end);
}

/** Where the response starts inside `query`, or -1. */
function responseStart(query: string, prompt: string | undefined): number {
  if (prompt) {
    if (query.startsWith(prompt)) return prompt.length;
    // The trainer may have cut the prompt from the left to fit max_len, or the token round trip
    // may differ at the start: the end of the prompt still marks where the response begins.
    const tail = prompt.slice(-PROMPT_TAIL);
    const at = query.indexOf(tail);
    if (tail.length > 0 && at !== -1) return at + tail.length;
  }
  // No usable prompt: the response follows the first assistant header. (The last one could be a fake
  // header written by the policy to hide what precedes it; prompts with earlier assistant turns
  // need `prompts` to be split correctly.)
  const header = query.indexOf(ASSISTANT_HEADER);
  return header === -1 ? -1 : header + ASSISTANT_HEADER.length;
}

/** The complete ChatML messages of a rendered prompt (an open assistant turn at the end is not one). */
export function parseChatMl(text: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const match of text.matchAll(MESSAGE)) {
    messages.push({ role: match[1] as ChatMessage['role'], content: match[2]!.trim() });
  }
  return messages;
}

/**
 * Splits one OpenRLHF query into the patient's question and the completion.
 * `prompt` is the matching entry of `prompts` (older OpenRLHF versions send none).
 */
export function splitQuery(query: string, prompt: string | undefined, index = 0): SplitQuery {
  const text = stripPadding(query);
  const promptText = prompt === undefined ? undefined : stripPadding(prompt);
  const start = responseStart(text, promptText);
  if (start === -1) {
    throw new QuerySplitError(
      index,
      // No `query.<i>:` prefix: the 400 answer puts the path in front (it used to appear twice).
      promptText
        ? `prompts.${index} is not part of the query and the query has no "${ASSISTANT_HEADER.trim()}" marker`
        : `no prompts.${index} was sent and the query has no "${ASSISTANT_HEADER.trim()}" marker to split at`,
    );
  }
  const head = text.slice(0, start);
  const response = trimStop(text.slice(start));

  const header = head.lastIndexOf(ASSISTANT_HEADER);
  if (header === -1) {
    // A plain prompt (no chat template): the prompt text is the question.
    return { question: (promptText ?? head).trim(), completion: response.trim() };
  }
  // Text the template put after the assistant header (Qwen3's `<think>\n\n</think>\n\n` when thinking
  // is off, or `<think>\n` for R1-style prompts) belongs to the completion: put it back so that the
  // think block is whole.
  const prefill = head.slice(header + ASSISTANT_HEADER.length);
  const messages = parseChatMl(head.slice(0, header));
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return {
    question: lastUser ? lastUser.content : (promptText ?? head.slice(0, header)).trim(),
    completion: (prefill + response).trim(),
    messages,
  };
}

/** Meta from an OpenRLHF label: a JSON object (or object) is spread into meta; anything else is kept as `labels`. */
export function metaFromLabel(label: unknown): SampleMeta {
  if (label === undefined || label === null || label === '') return {};
  if (typeof label === 'string') {
    const trimmed = label.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          return { ...(parsed as SampleMeta), labels: label };
        }
      } catch {
        // Not JSON after all: an ordinary label string.
      }
    }
    return { labels: label };
  }
  if (typeof label === 'object' && !Array.isArray(label)) return { ...(label as SampleMeta), labels: label };
  return { labels: label };
}

export interface GetRewardResponse {
  /** The total reward per sample; for a dropped sample, `droppedReward` (null by default). */
  rewards: (number | null)[];
  /** Same as `rewards` (OpenRLHF filters on it with `--dynamic_filtering`). */
  scores: (number | null)[];
  /**
   * Per component, each sample's contribution to the total (weight * score; 0 when the component
   * had no score), plus `dropped` and `gated` (1 or 0). Always numbers, so OpenRLHF can average them.
   */
  extra_logs: Record<string, number[]>;
  /** Present when a sample was dropped: its index and the composer's reason. */
  dropped?: { index: number; reason: string }[];
}

/** Builds the /get_reward answer from the composer's breakdowns (in request order). */
export function toGetRewardResponse(
  breakdowns: readonly RewardBreakdown[],
  componentNames: readonly string[],
  droppedReward: number | null,
): GetRewardResponse {
  const names = [...componentNames];
  for (const b of breakdowns) for (const name of Object.keys(b.components)) if (!names.includes(name)) names.push(name);

  const rewards = breakdowns.map((b) => (b.total === null ? droppedReward : b.total));
  const extraLogs: Record<string, number[]> = {};
  for (const name of names) extraLogs[name] = breakdowns.map((b) => b.components[name]?.weighted ?? 0);
  extraLogs.dropped = breakdowns.map((b) => (b.total === null ? 1 : 0));
  extraLogs.gated = breakdowns.map((b) => (b.gate ? 1 : 0));

  const response: GetRewardResponse = { rewards, scores: [...rewards], extra_logs: extraLogs };
  const dropped = breakdowns.flatMap((b, index) =>
    b.total === null ? [{ index, reason: b.dropped ?? 'dropped by the composer' }] : [],
  );
  if (dropped.length > 0) response.dropped = dropped;
  return response;
}
