/**
 * @medrl/core: the runtime behind every medrl command. Config (schema, sections, loading,
 * redaction), the DI container, the plugin loader and registry, typed hooks, the reward composer,
 * line readers, logging and errors, and `openRun`, which ties them together.
 *
 * May import: @medrl/sdk, zod, cosmiconfig, jiti, tsyringe, eventemitter3. Never tfjs, @medrl/engine,
 * @medrl/train, @medrl/serve or the CLI, and it names no built-in plugin (the defaults live in
 * @medrl/preset-medical). Plugins never import this package; they speak @medrl/sdk.
 */
export { formatPath, loadConfig, mergeConfig, validateConfig, type LoadedConfig } from './config/load.js';
export { isSecretKey, redactConfig } from './config/redact.js';
export { configSchema, type ResolvedConfig } from './config/schema.js';
export { dataSchema, type DataConfig, type DataConfigInput } from './config/sections/data.js';
export { type EvalOptions } from './config/sections/eval.js';
export { grpoSchema, type GrpoSection } from './config/sections/grpo.js';
export { type ModelConfig } from './config/sections/model.js';
export { finalEvalSchema, ppoSchema, type PpoSection, type SafetyGateSection } from './config/sections/ppo.js';
export { serveSchema, type ServeOptions } from './config/sections/serve.js';
export { ConfigError, MedrlError, messageOf, PluginError, RewardComponentError } from './errors.js';
export { HookBus } from './hooks/bus.js';
export { isBlank, readLineBatches, type RawLine } from './io/lines.js';
export { createLogger, MetricsRegistry, redactText, registerSecret } from './logging.js';
export { apiVersionProblem } from './plugins/api-version.js';
export { loadPlugins, resolvePluginModule, type LoadedPlugin } from './plugins/loader.js';
export { PluginRegistry } from './plugins/registry.js';
export { buildComposer, RewardComposer, type ComponentScores } from './reward/composer.js';
export { describeValue, judgementProblem } from './reward/contract.js';
export { judgementToReward, judgePlugin, pickJudge } from './reward/judge-component.js';
export { splitThink, toRollout } from './reward/rollout.js';
export { scoreFile, type LineError } from './reward/score-file.js';
export { Eta } from './runtime/eta.js';
export { exitCodeOf, listenForStop, stopRequested, stopSignalName, type GracefulStop } from './runtime/interrupt.js';
export { openRun, type OpenRunOptions, type Run } from './runtime/run.js';
export { escapeControl, labelHash } from './text.js';
