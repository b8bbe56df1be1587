/**
 * The DI container of a run: a tsyringe child of the root container, holding the run's config,
 * logger, metrics and context under the SDK's TOKENS, disposed when the run closes.
 */
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { TOKENS, type Logger, type PluginContext } from '@medrl/sdk';
import type { ResolvedConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../logging.js';

export function createRunContainer(deps: {
  config: ResolvedConfig;
  logger: Logger;
  metrics: MetricsRegistry;
  context: PluginContext;
}): DependencyContainer {
  const child = rootContainer.createChildContainer();
  child.register(TOKENS.Config, { useValue: deps.config as unknown as Record<string, unknown> });
  child.register(TOKENS.Logger, { useValue: deps.logger });
  child.register(TOKENS.Metrics, { useValue: deps.metrics });
  child.register(TOKENS.PluginContext, { useValue: deps.context });
  child.register(TOKENS.PluginOptions, { useValue: {} });
  return child;
}
