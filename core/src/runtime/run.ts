/**
 * A run: config, DI container, plugins, registry, hooks and the reward composer, opened by every
 * command and closed at its end (plugins' dispose, then the container's). Services receive a Run
 * rather than reaching for globals.
 */
import type { DependencyContainer } from 'tsyringe';
import type { Logger, MedrlConfig, PluginContext } from '@medrl/sdk';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { createRunContainer } from '../di/container.js';
import { HookBus } from '../hooks/bus.js';
import { createLogger, MetricsRegistry, registerSecret } from '../logging.js';
import { loadPlugins, type LoadedPlugin } from '../plugins/loader.js';
import { PluginRegistry } from '../plugins/registry.js';
import { buildComposer, type RewardComposer } from '../reward/composer.js';
import { messageOf } from '../errors.js';

/** Commands whose runs load the `output.report_to` loggers. */
const TRAINING_COMMANDS = new Set(['train', 'sft']);

export interface OpenRunOptions {
  /** Command name, given to plugins in their context (`train`, `reward`, ...). */
  command: string;
  configPath?: string;
  cwd?: string;
  /** Inline config instead of a file (tests, programmatic use). */
  config?: MedrlConfig;
  /** Merged over the file's config before validation (CLI flags). */
  overrides?: Record<string, unknown>;
  signal?: AbortSignal;
  /**
   * A request to stop gracefully (the first Ctrl-C or SIGTERM of `medrl sft` and `medrl train`):
   * trainers finish the current step, write a checkpoint and return. Unlike `signal`, it does not
   * cancel work in flight (a judge call of the current step still completes).
   */
  stopSignal?: AbortSignal;
}

export interface Run {
  readonly config: ResolvedConfig;
  readonly configPath?: string;
  readonly rootDir: string;
  readonly container: DependencyContainer;
  readonly plugins: readonly LoadedPlugin[];
  readonly registry: PluginRegistry;
  readonly hooks: HookBus;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly context: PluginContext;
  /** Graceful stop request (see OpenRunOptions.stopSignal). */
  readonly stopSignal?: AbortSignal;
  /** The composer, built on first use (commands without rewards never build it). */
  readonly composer: RewardComposer;
  close(): Promise<void>;
}

export async function openRun(options: OpenRunOptions): Promise<Run> {
  const { config, filepath, rootDir } = await loadConfig({
    configPath: options.configPath,
    cwd: options.cwd,
    inline: options.config,
    overrides: options.overrides,
  });
  registerSecret(process.env.DEEPSEEK_API_KEY);
  registerSecret(process.env.MEDRL_SERVE_TOKEN);

  const logger = createLogger('medrl');
  const metrics = new MetricsRegistry();
  const contextFor = (scope: string): PluginContext => ({
    logger: createLogger(scope),
    metrics: metrics.scoped(scope),
    rootDir,
    command: options.command,
    signal: options.signal,
  });
  const context: PluginContext = { logger, metrics, rootDir, command: options.command, signal: options.signal };
  const container = createRunContainer({ config, logger, metrics, context });
  const registry = new PluginRegistry();
  const hooks = new HookBus();

  let plugins: LoadedPlugin[] = [];
  try {
    plugins = await loadPlugins(
      config.plugins,
      { rootDir, command: options.command, container, registry, hooks, contextFor },
      // report_to loggers only listen to training, so other commands do not load them.
      TRAINING_COMMANDS.has(options.command) ? config.output.report_to.filter((name) => name !== 'none') : [],
    );
  } catch (error) {
    await container.dispose();
    throw error;
  }

  let composer: RewardComposer | undefined;
  let closed = false;
  return {
    config,
    configPath: filepath,
    rootDir,
    container,
    plugins,
    registry,
    hooks,
    logger,
    metrics,
    context,
    stopSignal: options.stopSignal,
    get composer() {
      composer ??= buildComposer(config, registry, context);
      return composer;
    },
    async close() {
      if (closed) return;
      closed = true;
      hooks.removeAll();
      // Whatever the missing-judgement warning still holds back is reported before the run ends.
      composer?.flush();
      for (const { plugin } of [...plugins].reverse()) {
        try {
          await plugin.dispose?.();
        } catch (error) {
          logger.warn(`plugin "${plugin.name}" failed in dispose: ${messageOf(error)}`);
        }
      }
      await container.dispose();
    },
  };
}
