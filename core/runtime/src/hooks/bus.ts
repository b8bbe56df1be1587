/**
 * The typed lifecycle bus. eventemitter3 keeps the listeners; `emit` awaits them one after
 * another in registration (= plugin) order, and a throwing listener becomes a PluginError naming
 * its plugin and hook. May import: @medrl/sdk, errors.
 */
import { EventEmitter } from 'eventemitter3';
import type { HookName, HookPayloads } from '@medrl/sdk';
import { PluginError, messageOf } from '../errors.js';
import { hookProperty } from '@medrl/sdk';

type Listener<K extends HookName> = (payload: HookPayloads[K]) => void | Promise<void>;
type Events = { [K in HookName]: Listener<K> };

interface Tagged {
  owner: string;
}

export class HookBus {
  private readonly emitter = new EventEmitter<Events>();

  /** Adds a listener; `owner` (a plugin name) is how errors and `listenerOwners` name it. */
  on<K extends HookName>(hook: K, listener: Listener<K>, owner: string): () => void {
    const tagged = Object.assign((payload: HookPayloads[K]) => listener(payload), { owner }) as Listener<K> & Tagged;
    this.emitter.on(hook, tagged as never);
    return () => this.emitter.off(hook, tagged as never);
  }

  /** Runs every listener of `hook` in order, awaiting each. */
  async emit<K extends HookName>(hook: K, payload: HookPayloads[K]): Promise<void> {
    for (const listener of this.emitter.listeners(hook) as unknown as (Listener<K> & Tagged)[]) {
      try {
        await listener(payload);
      } catch (error) {
        throw new PluginError(listener.owner, hookProperty(hook), messageOf(error), { cause: error });
      }
    }
  }

  /** Owners of the listeners of `hook`, in the order they run. */
  listenerOwners(hook: HookName): string[] {
    return (this.emitter.listeners(hook) as unknown as Tagged[]).map((l) => l.owner);
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
