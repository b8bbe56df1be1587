/** The repository's medrl.config.ts is the demo's default: it must load and agree with the schema's defaults. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config/load.js';
import { runMedrl } from '../helpers/cli.js';
import { repoRoot } from '../helpers/tmp.js';

describe('the default medrl.config.ts', () => {
  it('composes the seed reward exactly as the schema defaults do (0.6 rules + 0.4 teacher)', async () => {
    const fromFile = await loadConfig({ cwd: repoRoot });
    const defaults = await loadConfig({ inline: {} });
    expect(fromFile.filepath).toBe(`${repoRoot}/medrl.config.ts`);
    expect(fromFile.config.reward).toEqual(defaults.config.reward);
    expect(fromFile.config.judge).toEqual(defaults.config.judge);
    const weights = fromFile.config.reward.components.map((c) => c.weight);
    const rules = fromFile.config.reward.components.filter((c) => c.use.startsWith('rules/'));
    expect(rules.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(0.6, 12);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('medrl plugins --json lists the plugins it configures', () => {
    const result = runMedrl(['plugins', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const plugins = JSON.parse(result.stdout).plugins as {
      name: string;
      rewards: string[];
      judges: string[];
      checkpointWriters: string[];
    }[];
    expect(plugins.map((p) => p.name)).toEqual([
      '@medrl/plugin-rules',
      '@medrl/plugin-judge-mock',
      '@medrl/plugin-judge-deepseek',
      '@medrl/plugin-checkpoint-hf',
    ]);
    expect(plugins[0]!.rewards).toEqual(['rules/format', 'rules/length', 'rules/keyword', 'rules/safety']);
    expect(plugins.flatMap((p) => p.judges)).toEqual(['mock', 'deepseek']);
    expect(plugins[3]!.checkpointWriters).toEqual(['hf-model', 'peft-adapter']);
  });
});
