/**
 * @medrl/plugin-rules — R_rules, the rule half of the reward, as four reward components that a
 * config weights separately: rules/format, rules/length, rules/keyword and rules/safety.
 * data/rl/reward_rules.md documents the formula and every rule id with its points.
 * May import: @medrl/sdk, zod. Never @medrl/core. (@monyone/aho-corasick is a dev dependency only: the
 * tests use it as the oracle of ./automaton.ts.)
 */
import { definePlugin, type MedrlPlugin, type RewardComponent, type RewardContext, type Rollout } from '@medrl/sdk';
import { formatReward, FORMAT_RULES, type FormatOptions } from './format.js';
import { keywordReward, KEYWORD_RULES, type KeywordOptions } from './keyword.js';
import { lengthReward, LENGTH_RULES, type LengthOptions } from './length.js';
import { type CountTokens, type DeepPartial, RulesOptionsError } from './options.js';
import { type RuleInfo, PLUGIN_NAME } from './rules.js';
import { safetyReward, SAFETY_RULES, type SafetyOptions } from './safety.js';
import { PhraseIndex } from './scanner.js';
import { LayoutCache } from './text.js';

export interface RulesPluginOptions {
  format?: DeepPartial<FormatOptions>;
  length?: DeepPartial<LengthOptions>;
  keyword?: DeepPartial<KeywordOptions>;
  safety?: DeepPartial<SafetyOptions>;
  /**
   * Count lengths in tokens of the configured tokenizer (rules/format's minThinkLength and every
   * rules/length band); a component's own countTokens wins.
   */
  countTokens?: CountTokens;
}

/** Every default rule of the four components, in documentation order. */
export const RULES: readonly RuleInfo[] = [...FORMAT_RULES, ...LENGTH_RULES, ...KEYWORD_RULES, ...SAFETY_RULES];

/** Recommended weights of the four components in the total reward; they add up to 0.6 (the judge gets 0.4). */
export const RECOMMENDED_WEIGHTS: Readonly<Record<string, number>> = {
  'rules/format': 0.1,
  'rules/length': 0.1,
  'rules/keyword': 0.1,
  'rules/safety': 0.3,
};

const VERSION = '0.1.0';
const OPTION_KEYS = ['format', 'length', 'keyword', 'safety', 'countTokens'];

/** Counts rules that flag gaming, so a run's metrics show reward hacking as it starts. */
function withGamingMetrics(component: RewardComponent, watched: readonly string[]): RewardComponent {
  return {
    ...component,
    async score(rollouts: readonly Rollout[], ctx: RewardContext) {
      const scores = await component.score(rollouts, ctx);
      for (const score of scores) {
        for (const reason of score?.reasons ?? []) if (watched.includes(reason)) ctx?.metrics?.increment(reason);
      }
      return scores;
    },
  };
}

/**
 * The plugin factory. Options are validated here, so a bad option fails when the config loads,
 * naming the option path. rules/keyword and rules/safety share one automaton: a completion is
 * scanned once for both.
 */
export default function rulesPlugin(options: RulesPluginOptions = {}): MedrlPlugin {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RulesOptionsError(`${PLUGIN_NAME}: options must be an object`);
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new RulesOptionsError(
      `${PLUGIN_NAME}: unknown option ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${OPTION_KEYS.join(', ')})`,
    );
  }
  const { countTokens } = options;
  if (countTokens !== undefined && typeof countTokens !== 'function') {
    throw new RulesOptionsError(`${PLUGIN_NAME}: option countTokens must be a function (text) => number`);
  }
  const withTokens = <T extends object | undefined>(part: T): T =>
    countTokens && !(part && 'countTokens' in part) ? ({ ...(part ?? {}), countTokens } as T) : part;

  const index = new PhraseIndex();
  // rules/format and rules/length share the layouts of a batch, keyword and safety its phrase reading.
  const layouts = new LayoutCache();
  const format = formatReward(withTokens(options.format), layouts);
  const length = lengthReward(withTokens(options.length), layouts);
  const keyword = keywordReward(options.keyword, index);
  const safety = safetyReward(options.safety, index);

  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.0',
    version: VERSION,
    setup(api) {
      api.registerReward(format);
      api.registerReward(length);
      api.registerReward(withGamingMetrics(keyword, ['keyword/stuffing']));
      api.registerReward(
        withGamingMetrics(safety, [
          'safety/stuffing',
          'safety/grader-injection',
          'safety/fake-score',
          'safety/template-injection',
        ]),
      );
    },
  });
}

export { rulesPlugin };
export { formatReward, scoreFormat, FORMAT_RULES, DEFAULT_FORMAT_OPTIONS, type FormatOptions } from './format.js';
export {
  lengthReward,
  scoreLength,
  LENGTH_RULES,
  DEFAULT_LENGTH_OPTIONS,
  type LengthOptions,
  type LengthBand,
} from './length.js';
export {
  keywordReward,
  KeywordScorer,
  KEYWORD_RULES,
  DEFAULT_KEYWORD_OPTIONS,
  type KeywordOptions,
} from './keyword.js';
export {
  safetyReward,
  SafetyScorer,
  SAFETY_RULES,
  DEFAULT_SAFETY_OPTIONS,
  type SafetyOptions,
  type SafetyContext,
} from './safety.js';
export { DEFAULT_KEYWORD_LEXICONS, type KeywordLexicon } from './lexicons/keyword.js';
export { DEFAULT_SAFETY_LEXICONS, type SafetyLexicons } from './lexicons/safety.js';
export * as negationLexicons from './lexicons/negation.js';
export { PhraseIndex, PhraseScanner } from './scanner.js';
export { RulesOptionsError, type CountTokens, type DeepPartial } from './options.js';
export { type RuleInfo, type RuleKind, PLUGIN_NAME } from './rules.js';
