/**
 * @medrl/plugin-judge-deepseek — DeepSeek (OpenAI-compatible API) as the medical answer judge.
 * May import: @medrl/sdk, openai, bottleneck, zod and node built-ins; never @medrl/core.
 *
 *   plugins: [judgeDeepSeek({ concurrency: 8, budget: 5 })]  // judge name: `deepseek`
 */
import { definePlugin, type MedrlPlugin } from '@medrl/sdk';
import { DeepSeekJudge } from './judge.js';
import { parseOptions, PLUGIN_NAME, type DeepSeekJudgeOptions } from './options.js';

export default function judgeDeepSeek(options: DeepSeekJudgeOptions = {}): MedrlPlugin {
  const resolved = parseOptions(options);
  let judge: DeepSeekJudge | undefined;
  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.0',
    version: '0.1.0',
    async setup(api) {
      judge = await DeepSeekJudge.create(resolved, api.context);
      api.registerJudge(judge);
    },
    async dispose() {
      await judge?.close();
    },
  });
}

export { DeepSeekJudge, TEMPLATE_VERSION_HEADER, type DeepSeekStats, type DeepSeekJudgeEnv } from './judge.js';
export { parseOptions, optionsSchema, PLUGIN_NAME, DEFAULT_BASE_URL, DEFAULT_CACHE_PATH } from './options.js';
export type { DeepSeekJudgeOptions, ResolvedOptions, Criterion } from './options.js';
export { JudgementCache, cacheKey, type CacheLine } from './cache.js';
export { neutralize, type Neutralized } from './neutralize.js';
export {
  DEFAULT_TEMPLATE,
  DEFAULT_RUBRIC_TEMPLATE,
  DEFAULT_TEMPLATE_VERSION,
  DEFAULT_RUBRIC_TEMPLATE_VERSION,
  buildPrompt,
} from './template.js';
export { parseScoringReply, parseRubricReply, InvalidReplyError } from './reply.js';
export { retryDelayMs, retryAfterMs, isRetryable } from './retry.js';
