/**
 * The RL algorithms `medrl train` can run, by name. The loop (rl-loop.ts) knows an algorithm only
 * through RlAlgorithm; what is PPO's or GRPO's (its config section, its state in checkpoints, its
 * update) is the algorithm's. A third algorithm registers here (and adds its config section) without
 * an edit to the loop.
 */
import { ConfigError, type ResolvedConfig } from '@medrl/core';
import { GrpoAlgorithm } from './grpo/trainer.js';
import { PpoAlgorithm } from './ppo/trainer.js';
import type { Policy } from './policy.js';
import type { RlAlgorithm, RlSection } from './rl-loop.js';

/** How to build one algorithm: its config section and a factory on the loaded policy. */
export interface AlgorithmSpec<S extends RlSection = RlSection> {
  /** `--algo` / `algorithm` in the config. */
  name: string;
  /** Its section of the resolved config (the loop reads the shared fields: steps, seeds, paths, gate). */
  section(config: ResolvedConfig): S;
  create(policy: Policy, section: S): RlAlgorithm;
}

const registry = new Map<string, AlgorithmSpec>();

/** Adds an algorithm; a name can be registered once. */
export function registerAlgorithm<S extends RlSection>(spec: AlgorithmSpec<S>): void {
  if (registry.has(spec.name)) throw new Error(`RL algorithm "${spec.name}" is already registered`);
  registry.set(spec.name, spec as unknown as AlgorithmSpec);
}

/** The algorithm named `name`, or a ConfigError listing those registered. */
export function algorithmSpec(name: string): AlgorithmSpec {
  const spec = registry.get(name);
  if (!spec) throw new ConfigError(`unknown RL algorithm "${name}"; registered: ${algorithmNames().join(', ')}`);
  return spec;
}

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

registerAlgorithm({
  name: 'ppo',
  section: (config) => config.ppo,
  create: (policy, cfg) => new PpoAlgorithm(policy, cfg),
});
registerAlgorithm({
  name: 'grpo',
  section: (config) => config.grpo,
  create: (policy, cfg) => new GrpoAlgorithm(policy, cfg),
});
