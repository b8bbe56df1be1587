/**
 * What plugins registered: reward components, judges and checkpoint writers, each with the
 * plugin that registered it. A second registration under the same name fails naming both plugins.
 */
import type { CheckpointWriter, Judge, RewardComponent } from '@medrl/sdk';
import { PluginError } from '../errors.js';

export interface Registered<T> {
  value: T;
  plugin: string;
}

class NamedRegistry<T extends { name: string }> {
  private readonly items = new Map<string, Registered<T>>();

  constructor(private readonly kind: string) {}

  add(value: T, plugin: string): void {
    if (typeof value?.name !== 'string' || value.name.length === 0) {
      throw new PluginError(plugin, 'setup', `registered a ${this.kind} without a name`);
    }
    const existing = this.items.get(value.name);
    if (existing) {
      throw new PluginError(
        plugin,
        'setup',
        `${this.kind} "${value.name}" is already registered by plugin "${existing.plugin}"`,
      );
    }
    this.items.set(value.name, { value, plugin });
  }

  get(name: string): T | undefined {
    return this.items.get(name)?.value;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  names(): string[] {
    return [...this.items.keys()];
  }

  entries(): Registered<T>[] {
    return [...this.items.values()];
  }

  /** Names registered by one plugin. */
  byPlugin(plugin: string): string[] {
    return this.entries()
      .filter((e) => e.plugin === plugin)
      .map((e) => e.value.name);
  }
}

export class PluginRegistry {
  readonly rewards = new NamedRegistry<RewardComponent>('reward component');
  readonly judges = new NamedRegistry<Judge>('judge');
  readonly writers = new NamedRegistry<CheckpointWriter>('checkpoint writer');
}
