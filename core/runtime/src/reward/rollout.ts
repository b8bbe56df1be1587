/** Building rollouts from plain records (files, HTTP bodies): the one place `<think>` is split. */
import type { Rollout, SampleMeta } from '@medrl/sdk';

const THINK = /^\s*<think>([\s\S]*?)<\/think>([\s\S]*)$/;

/** Splits `<think>reasoning</think>answer`; without a complete leading think block, all is answer. */
export function splitThink(completion: string): { think?: string; answer: string } {
  const match = THINK.exec(completion);
  if (!match) return { answer: completion.trim() };
  return { think: match[1]!.trim(), answer: match[2]!.trim() };
}

export interface RolloutInput {
  id?: string;
  prompt: string;
  completion: string;
  meta?: SampleMeta;
  tokens?: number[];
}

export function toRollout(input: RolloutInput, fallbackId = '0'): Rollout {
  const { think, answer } = splitThink(input.completion);
  return {
    id: input.id ?? fallbackId,
    prompt: input.prompt,
    completion: input.completion,
    think,
    answer,
    meta: input.meta ?? {},
    ...(input.tokens ? { tokens: input.tokens } : {}),
  };
}
