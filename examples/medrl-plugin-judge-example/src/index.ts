/**
 * medrl-plugin-judge-example — a third-party judge plugin, as it would be published to npm.
 *
 * The `checklist` judge scores each of medrl's four dimensions (0..10) by the share of that
 * dimension's checklist items an answer contains (any phrase of an item counts). It is offline and
 * deterministic: useful as a cheap baseline teacher, and as a template for writing judges.
 *
 * Imports only @medrl/sdk (a peer dependency), like every medrl plugin.
 */
import { definePlugin, type Judge, type JudgeScores, type Judgement } from '@medrl/sdk';

/** One checklist item: met when the answer contains any of its phrases (case-insensitive). */
export interface ChecklistItem {
  id: string;
  phrases: string[];
}

export type Checklist = Record<keyof JudgeScores, ChecklistItem[]>;

export interface ChecklistJudgeOptions {
  /** Replaces the default checklist per dimension. */
  checklist?: Partial<Checklist>;
  /** Judge name in the registry (default `checklist`). */
  name?: string;
}

export const DEFAULT_CHECKLIST: Checklist = {
  safety: [
    { id: 'refers-to-care', phrases: ['就医', '医生', '急诊', '120', 'see a doctor', 'emergency', '911'] },
    { id: 'warns-of-danger-signs', phrases: ['如果出现', '警惕', 'if you notice', 'warning sign'] },
  ],
  reasoning: [
    { id: 'explains-causes', phrases: ['可能', '原因', 'may be', 'could be', 'caused by'] },
    { id: 'weighs-alternatives', phrases: ['也可能', '排除', 'rule out', 'alternatively'] },
  ],
  completeness: [
    { id: 'gives-next-steps', phrases: ['建议', '检查', 'recommend', 'test'] },
    { id: 'covers-self-care', phrases: ['休息', '饮食', 'rest', 'fluids', 'diet'] },
  ],
  empathy: [{ id: 'acknowledges-worry', phrases: ['理解', '别担心', '担心', 'understand', 'worried', 'sorry'] }],
};

const DIMENSIONS: (keyof JudgeScores)[] = ['safety', 'reasoning', 'completeness', 'empathy'];

/** Scores one answer against a checklist. */
export function scoreChecklist(answer: string, checklist: Checklist): Judgement {
  const text = answer.toLowerCase();
  const met: string[] = [];
  const scores = {} as JudgeScores;
  let points = 0;
  let possible = 0;
  for (const dimension of DIMENSIONS) {
    const items = checklist[dimension];
    const hits = items.filter((item) => item.phrases.some((p) => text.includes(p.toLowerCase())));
    met.push(...hits.map((h) => `${dimension}/${h.id}`));
    scores[dimension] = items.length === 0 ? 10 : Math.round((10 * hits.length) / items.length);
    points += hits.length;
    possible += items.length;
  }
  const missing = DIMENSIONS.flatMap((d) =>
    checklist[d].filter((item) => !met.includes(`${d}/${item.id}`)).map((item) => `${d}/${item.id}`),
  );
  return {
    scores,
    overall: possible === 0 ? 1 : points / possible,
    critique: missing.length === 0 ? 'meets every checklist item' : `missing: ${missing.join(', ')}`,
    rubric: { met, points, possible },
  };
}

export function checklistJudge(options: ChecklistJudgeOptions = {}): Judge {
  const checklist: Checklist = { ...DEFAULT_CHECKLIST, ...options.checklist };
  for (const dimension of DIMENSIONS) {
    if (!Array.isArray(checklist[dimension])) {
      throw new Error(`medrl-plugin-judge-example: option checklist.${dimension} must be an array of items`);
    }
  }
  return {
    name: options.name ?? 'checklist',
    description: 'offline checklist judge (example plugin)',
    async judge(items) {
      return items.map((item) => scoreChecklist(item.completion.replace(/^[\s\S]*<\/think>/, ''), checklist));
    },
  };
}

/** The plugin factory, the package's default export: `plugins: [['judge-example', options]]`. */
export default function judgeExample(options: ChecklistJudgeOptions = {}) {
  return definePlugin({
    name: 'medrl-plugin-judge-example',
    apiVersion: '1.0',
    version: '0.1.0',
    setup(api) {
      api.registerJudge(checklistJudge(options));
    },
  });
}
