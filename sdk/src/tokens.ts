/**
 * DI tokens for class plugins. Core registers these in the run's child container; a class
 * plugin asks for them with `@inject(TOKENS.Logger)` and so on. Symbols come from the global
 * registry so that two copies of this package still agree.
 */
import type { InjectionToken } from 'tsyringe';
import type { Logger, Metrics, PluginContext } from './types.js';

/** Injection tokens for class plugins: `@inject(TOKENS.Logger)` and so on. */
export const TOKENS = {
  /** Logger (the plugin's own, prefixed with its name). */
  Logger: Symbol.for('medrl.Logger') as InjectionToken<Logger>,
  /** Metrics registry of the run. */
  Metrics: Symbol.for('medrl.Metrics') as InjectionToken<Metrics>,
  /** The PluginContext of the run. */
  PluginContext: Symbol.for('medrl.PluginContext') as InjectionToken<PluginContext>,
  /** The options given to this plugin in the config (`[name, options]`), or `{}`. */
  PluginOptions: Symbol.for('medrl.PluginOptions') as InjectionToken<Record<string, unknown>>,
  /** The resolved, validated config (secrets included: do not log it). */
  Config: Symbol.for('medrl.Config') as InjectionToken<Record<string, unknown>>,
} as const;
