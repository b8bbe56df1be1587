// The hooks fire in the order docs/hooks.md states: a tiny PPO run records every hook and every
// call of the reward, and the step's sequence must equal the documented "Order within one
// training step".
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../core/src/train/index.js';
import { repoRoot } from '../helpers/tmp.js';
import { openTinyRun, tinyProject } from './helpers.js';

/** The documented per-step order, as event names: `generate and score` → score, `onX` → x. */
async function documentedStepOrder(): Promise<string[]> {
  const doc = await readFile(path.join(repoRoot, 'docs/hooks.md'), 'utf8');
  const sentence = /^Order within one training step(?: of `medrl train`)?: ([\s\S]*?\(when due\))/m.exec(doc)?.[1];
  if (!sentence) throw new Error('docs/hooks.md has no "Order within one training step: ... (when due)" sentence');
  return sentence
    .replace(/\s+/g, ' ')
    .replace(/`onCheckpoint` \(when due\)/, 'checkpoint')
    .split('→')
    .map((part) => part.trim().replace(/\.$/, ''))
    .map((part) => {
      if (part === 'generate and score') return 'score';
      const hook = /^`on(\w+)`$/.exec(part);
      return hook ? hook[1]![0]!.toLowerCase() + hook[1]!.slice(1) : part;
    });
}

describe('hook firing order', () => {
  it('matches docs/hooks.md: generate and score, onRollout, onReward, update, onLog, onStep, onCheckpoint', async () => {
    const setup = await tinyProject(1);
    const events: string[] = [];
    const record = (name: string) => () => void events.push(name);
    const recorder = definePlugin({
      name: 'recorder',
      apiVersion: '1.1',
      setup(api) {
        api.registerReward({
          name: 'test/recorded',
          async score(rollouts) {
            events.push('score');
            return rollouts.map(() => ({ value: 0.5 }));
          },
        });
      },
      onTrainStart: record('trainStart'),
      onRollout: record('rollout'),
      onReward: record('reward'),
      onStep: record('step'),
      onLog: record('log'),
      onCheckpoint: ({ final }) => void events.push(final ? 'final' : 'checkpoint'),
      onTrainEnd: record('trainEnd'),
    });
    const run = await openTinyRun(setup, {
      plugins: [recorder],
      reward: { components: [{ use: 'test/recorded', weight: 1 }], clip: null },
      ppo: { steps: 2, save_steps: 1, ppo_epochs: 1 },
    });
    try {
      await runTrain(run, { algo: 'ppo' });
    } finally {
      await run.close();
    }
    // Scoring runs per chunk; collapse repeats to compare with the prose. The update has no hook.
    const collapsed = events.filter((e, i) => !(e === 'score' && events[i - 1] === 'score'));
    const documented = await documentedStepOrder();
    expect(documented).toEqual(['score', 'rollout', 'reward', 'update', 'log', 'step', 'checkpoint']);
    const step = documented.filter((e) => e !== 'update');
    expect(collapsed).toEqual(['trainStart', ...step, ...step, 'final', 'trainEnd']);

    // The SDK's JSDoc says the same.
    const sdk = await readFile(path.join(repoRoot, 'sdk/src/hooks.ts'), 'utf8');
    expect(sdk).not.toMatch(/before it is scored/);
  }, 120_000);
});
