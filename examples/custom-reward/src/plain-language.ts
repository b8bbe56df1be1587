/**
 * plain-language: a project-local reward component. Score in [-1, 0.2]:
 *  +0.2 when the answer has no unexplained abbreviation and no overlong sentence;
 *  -0.25 per unexplained abbreviation (an abbreviation is explained when a parenthesis follows it
 *  or precedes it, e.g. "心电图(ECG)" or "ECG (electrocardiogram)"), at most -0.75;
 *  -0.25 when a sentence is longer than `maxSentenceChars`.
 * It imports only @medrl/sdk, like any plugin.
 */
import { definePlugin, type RewardComponent } from '@medrl/sdk';

export interface PlainLanguageOptions {
  /** Abbreviations that need an explanation for patients. */
  abbreviations?: string[];
  /** Sentences longer than this (in characters) cost points. */
  maxSentenceChars?: number;
}

const DEFAULT_ABBREVIATIONS = ['ECG', 'EKG', 'MRI', 'CT', 'HbA1c', 'BP', 'NSAID', 'PPI', 'SSRI', 'COPD'];

function isExplained(text: string, index: number, length: number): boolean {
  const after = text.slice(index + length, index + length + 2);
  const before = text.slice(Math.max(0, index - 1), index);
  return /^\s?[(（]/.test(after) || /[(（]/.test(before);
}

export function plainLanguageComponent(options: PlainLanguageOptions = {}): RewardComponent {
  const abbreviations = options.abbreviations ?? DEFAULT_ABBREVIATIONS;
  const maxSentenceChars = options.maxSentenceChars ?? 120;
  if (!Number.isInteger(maxSentenceChars) || maxSentenceChars <= 0) {
    throw new Error(
      `plain-language: option maxSentenceChars must be a positive integer, got ${String(maxSentenceChars)}`,
    );
  }
  const pattern = new RegExp(
    `(?<![A-Za-z])(${abbreviations.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![A-Za-z])`,
    'g',
  );

  return {
    name: 'plain-language',
    description: 'penalizes unexplained medical abbreviations and overlong sentences',
    async score(rollouts) {
      return rollouts.map((rollout) => {
        const answer = rollout.answer ?? rollout.completion;
        if (answer.trim() === '') return null; // nothing to read: another component handles empty answers
        const reasons: string[] = [];
        let unexplained = 0;
        for (const match of answer.matchAll(pattern)) {
          if (!isExplained(answer, match.index, match[0].length)) {
            unexplained += 1;
            reasons.push(`plain-language/unexplained:${match[0]}`);
          }
        }
        const longSentence = answer.split(/[。！？!?.\n]+/).some((s) => s.trim().length > maxSentenceChars);
        if (longSentence) reasons.push('plain-language/long-sentence');
        if (reasons.length === 0) return { value: 0.2, reasons: ['plain-language/clear'] };
        return { value: -Math.min(0.75, 0.25 * unexplained) - (longSentence ? 0.25 : 0), reasons };
      });
    },
  };
}

export default function plainLanguage(options: PlainLanguageOptions = {}) {
  return definePlugin({
    name: 'plain-language',
    apiVersion: '1.0',
    version: '0.1.0',
    setup(api) {
      api.registerReward(plainLanguageComponent(options));
    },
  });
}
