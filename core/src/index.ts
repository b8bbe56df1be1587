/**
 * @medrl/core — the framework behind the medrl CLI: config, DI container, plugin loader, hooks,
 * reward composer, data pipeline, engine, trainers, eval and server. Plugins never import this
 * package; they speak @medrl/sdk.
 */
export { loadConfig, validateConfig, mergeConfig, type LoadedConfig } from './config/load.js';
export { configSchema, DEFAULT_PLUGINS, type ResolvedConfig } from './config/schema.js';
export { redactConfig } from './config/redact.js';
export { MedrlError, ConfigError, PluginError, RewardComponentError } from './errors.js';
export { HookBus } from './hooks/bus.js';
export { createLogger, MetricsRegistry, redactText, registerSecret } from './logging.js';
export { loadPlugins, resolvePluginModule, type LoadedPlugin } from './plugins/loader.js';
export { PluginRegistry } from './plugins/registry.js';
export { apiVersionProblem } from './plugins/api-version.js';
export { RewardComposer, buildComposer } from './reward/composer.js';
export { judgementToReward } from './reward/judge-component.js';
export { toRollout, splitThink } from './reward/rollout.js';
export { openRun, type Run, type OpenRunOptions } from './runtime/run.js';
export { createServer, type MedrlServer, type RewardScorer } from './serve/server.js';
export { runPrepare, runPrepareRl, type PrepareStats, type PrepareRlStats } from './data/index.js';
