import { describe, expect, it } from 'vitest';
import { definePlugin, type StepPayload } from '@medrl/sdk';
import { HookBus } from '../../core/runtime/src/hooks/bus.js';
import { openRun } from '../../core/runtime/src/runtime/run.js';

describe('hook bus', () => {
  it('runs listeners in plugin order, awaiting each before the next', async () => {
    const events: string[] = [];
    const slow = definePlugin({
      name: 'slow',
      apiVersion: '1.0',
      async onStep({ step }: StepPayload) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`slow:${step}`);
      },
    });
    const fast = definePlugin({
      name: 'fast',
      apiVersion: '1.0',
      onStep: ({ step }: StepPayload) => void events.push(`fast:${step}`),
      onTrainEnd: ({ reason }) => void events.push(`end:${reason}`),
    });
    const run = await openRun({ command: 'test', config: { plugins: [slow, fast] } });
    try {
      expect(run.hooks.listenerOwners('step')).toEqual(['slow', 'fast']);
      await run.hooks.emit('step', { step: 1, stats: {} });
      await run.hooks.emit('step', { step: 2, stats: {} });
      await run.hooks.emit('trainEnd', { step: 2, outputDir: '/tmp', reason: 'finished' });
      expect(events).toEqual(['slow:1', 'fast:1', 'slow:2', 'fast:2', 'end:finished']);
    } finally {
      await run.close();
    }
  });

  it('reports a throwing listener with its plugin and hook, and stops later listeners', async () => {
    const bus = new HookBus();
    const seen: string[] = [];
    bus.on('reward', () => void seen.push('a'), 'plugin-a');
    bus.on(
      'reward',
      async () => {
        throw new Error('disk full');
      },
      'plugin-b',
    );
    bus.on('reward', () => void seen.push('c'), 'plugin-c');
    await expect(bus.emit('reward', { step: 0, rollouts: [], breakdowns: [] })).rejects.toThrow(
      'plugin "plugin-b" (onReward): disk full',
    );
    expect(seen).toEqual(['a']);
  });

  it('passes the payload through unchanged and can remove a listener', async () => {
    const bus = new HookBus();
    const payloads: unknown[] = [];
    const off = bus.on('checkpoint', (p) => void payloads.push(p), 'x');
    const payload = { step: 3, dir: '/ckpt', final: false };
    await bus.emit('checkpoint', payload);
    off();
    await bus.emit('checkpoint', payload);
    expect(payloads).toEqual([payload]);
  });
});
