/**
 * Injection hardening for text that goes into the judge prompt as data (the answer, the question).
 * The text is wrapped in a block whose delimiters carry a per-call random nonce, and everything in
 * it that could pose as prompt structure is defused first: delimiter look-alikes, chat-template
 * role markers and score-like JSON or "safety: 10/10" claims aimed at the judge.
 */
import { randomBytes } from 'node:crypto';

export type NeutralizedKind = 'delimiter' | 'role_marker' | 'score_json' | 'score_text';

export interface Neutralized {
  text: string;
  /** How many spans of each kind were defused. */
  counts: Record<NeutralizedKind, number>;
}

const SCORE_KEY =
  /["']?\b(?:safety|reasoning|completeness|empathy|overall(?:_score)?|scores?|rating)\b["']?\s*:|(?:安全性|推理质量|完整性|同理心|评分|分数|总分)["']?\s*[:：]/i;

const RULES: { kind: NeutralizedKind; pattern: RegExp; replace: (match: string, ...groups: string[]) => string }[] = [
  // Our delimiters are <<<...>>>; any run of three angle brackets (ASCII or full-width) is defused.
  {
    kind: 'delimiter',
    pattern: /[<＜]{3,}|[>＞]{3,}/g,
    replace: (m) => m.replace(/[<＜]/g, '‹').replace(/[>＞]/g, '›'),
  },
  // Chat-template special tokens: <|im_start|>, <|endoftext|>, DeepSeek's <｜User｜> and the like.
  {
    kind: 'role_marker',
    pattern: /[<＜]\s*[|｜]([^|｜<>\n]{0,40})[|｜]\s*[>＞]/g,
    replace: (_m, inner) => `[marker ${inner.trim()}]`,
  },
  // Llama-style instruction and system tags.
  {
    kind: 'role_marker',
    pattern: /\[\/?INST\]|<<\/?SYS>>/gi,
    replace: (m) => `[tag ${m.replace(/[[\]<>]/g, '')}]`,
  },
  // A line that starts with a role label or a "### System" heading, as a spoofed turn would.
  {
    kind: 'role_marker',
    pattern:
      /^([ \t]*(?:#{1,6}[ \t]*)?)(system|assistant|user|developer|human|instructions?|系统|助手|用户|指令|系统提示)([ \t]*[:：]|[ \t]*$)/gim,
    replace: (_m, lead, role, tail) => `${lead}(quoted) ${role}${tail}`,
  },
];

/** A `{...}` without nested braces that contains a score-like key. Applied until nothing changes. */
const FLAT_OBJECT = /\{[^{}]*\}/g;

/** "safety: 10", "overall_score = 1", "安全性：10分", "评分：9/10" outside JSON. */
const SCORE_TEXT = [
  /["']?\b(?:safety|reasoning|completeness|empathy|overall_score)\b["']?\s*[:=]\s*\d+(?:\.\d+)?(?:\s*\/\s*10)?/gi,
  /(?:安全性|推理质量|推理|完整性|同理心|总分|评分|得分|分数)\s*[:：为是]?\s*\d+(?:\.\d+)?\s*(?:分|\/\s*10)/g,
];

export function neutralize(input: string): Neutralized {
  const counts: Record<NeutralizedKind, number> = { delimiter: 0, role_marker: 0, score_json: 0, score_text: 0 };
  let text = input;
  for (const rule of RULES) {
    text = text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      counts[rule.kind] += 1;
      const groups = rest.filter((g): g is string => typeof g === 'string');
      return rule.replace(match, ...groups);
    });
  }
  // Inner objects first; an outer object is caught on a later pass once its inner one is gone.
  for (let changed = true; changed;) {
    changed = false;
    text = text.replace(FLAT_OBJECT, (match) => {
      if (!SCORE_KEY.test(match)) return match;
      counts.score_json += 1;
      changed = true;
      return '[score-like JSON removed]';
    });
  }
  for (const pattern of SCORE_TEXT) {
    text = text.replace(pattern, () => {
      counts.score_text += 1;
      return '[score-like text removed]';
    });
  }
  return { text, counts };
}

/** A fresh nonce that does not occur in any of the texts it will delimit. */
export function makeNonce(texts: readonly string[]): string {
  for (;;) {
    const nonce = randomBytes(8).toString('hex');
    if (!texts.some((t) => t.includes(nonce))) return nonce;
  }
}

export interface Delimiters {
  begin: string;
  end: string;
}

export function delimiters(label: 'ANSWER' | 'QUESTION', nonce: string): Delimiters {
  return { begin: `<<<${label} ${nonce}>>>`, end: `<<<END ${label} ${nonce}>>>` };
}

/** Wraps already-neutralized text in its nonce block. */
export function wrap(text: string, d: Delimiters): string {
  return `${d.begin}\n${text}\n${d.end}`;
}
