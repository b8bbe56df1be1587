/**
 * The plugin contract. A plugin is a plain object returned by a factory (as in Rollup and Vite):
 *
 *   export default function myPlugin(options = {}) {
 *     return definePlugin({ name: 'my-plugin', apiVersion: '1.0', setup(api) { api.registerReward(...) } });
 *   }
 *
 * Class plugins with tsyringe constructor injection are accepted too (see `medrlPlugin`).
 */
import { injectable } from 'tsyringe';
import type { PluginHooks } from './hooks.js';
import type { CheckpointWriter, Judge, PluginContext, RewardComponent } from './types.js';

/**
 * The plugin API version this SDK speaks, as `major.minor`. A plugin states the version it was
 * written for; core accepts the same major with a minor no greater than its own.
 * 1.1 added the `onLog` hook and `runName`/`resumedFrom` in onTrainStart's payload.
 */
export const API_VERSION = '1.1';

/** What `setup` receives: the ways a plugin contributes to a run. */
export interface PluginApi {
  /** Logger, metrics, root directory and command of this run. */
  readonly context: PluginContext;
  /** Adds a reward component; config weights it by `use: '<component name>'`. */
  registerReward(component: RewardComponent): void;
  /** Adds a judge; a judge-derived reward component (`use: 'judge'`) turns its verdicts into a number. */
  registerJudge(judge: Judge): void;
  /** Adds a checkpoint writer; every registered writer writes into each checkpoint directory. */
  registerCheckpointWriter(writer: CheckpointWriter): void;
}

/** A medrl plugin: a name, the API version it targets, an optional setup and hook listeners. */
export interface MedrlPlugin extends PluginHooks {
  /** Unique name; errors and `medrl plugins` use it. Convention: the npm package name. */
  name: string;
  /** Plugin API version the plugin was written for, `major.minor` (see API_VERSION). */
  apiVersion: string;
  /** The plugin's own version, shown by `medrl plugins`. */
  version?: string;
  /** Called once per run, in plugin order, before any hook fires. */
  setup?(api: PluginApi): void | Promise<void>;
  /** Called once when the run ends (the DI container is disposed right after). */
  dispose?(): void | Promise<void>;
}

/** A class whose instances are plugins; core constructs it through the run's DI container. */
export type MedrlPluginClass = new (...args: never[]) => MedrlPlugin;

/** A factory a package exports by default: options in, plugin out. */
export type MedrlPluginFactory<O = Record<string, unknown>> = (
  options?: O,
) => MedrlPlugin | MedrlPlugin[] | Promise<MedrlPlugin | MedrlPlugin[]>;

/**
 * One entry of `plugins` in the config:
 * - a plugin object (usually from a factory call), a class plugin, or an array of them (a preset);
 * - a module specifier (npm package name or path relative to the config file), or `[specifier, options]`;
 * - a falsy value, ignored, so that `cond && myPlugin()` works.
 */
export type PluginEntry =
  | MedrlPlugin
  | MedrlPluginClass
  | string
  | readonly [string, Record<string, unknown>]
  | readonly PluginEntry[]
  | false
  | null
  | undefined;

/** Identity function that type-checks a plain-object plugin. */
export function definePlugin<P extends MedrlPlugin>(plugin: P): P {
  return plugin;
}

/** Marks a class plugin (see `medrlPlugin`). */
export const CLASS_PLUGIN = Symbol.for('medrl.classPlugin');

/**
 * Class decorator for class plugins. It makes the class injectable by tsyringe and marks it so
 * the loader constructs it through the run's container. Give every constructor parameter an
 * explicit `@inject(TOKENS.X)`: esbuild-based tools emit no decorator metadata.
 */
export function medrlPlugin(): <T extends MedrlPluginClass>(target: T) => T {
  return <T extends MedrlPluginClass>(target: T): T => {
    injectable()(target as never);
    Object.defineProperty(target, CLASS_PLUGIN, { value: true });
    return target;
  };
}

/** True when `value` is a class decorated with `medrlPlugin()`. */
export function isClassPlugin(value: unknown): value is MedrlPluginClass {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[CLASS_PLUGIN] === true;
}
