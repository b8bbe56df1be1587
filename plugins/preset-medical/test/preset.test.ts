// The preset's values are the seed pipeline's; how the CLI lays it under a config is tested in
// test/runtime/config.test.ts (layering) and test/cli (a clean project with no config).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import presetMedical, {
  MEDICAL_AUTO_JUDGES,
  MEDICAL_LOGGERS,
  MEDICAL_PLUGINS,
  MEDICAL_REWARD_COMPONENTS,
  MEDICAL_SAFETY_SCORE,
} from '../src/index.js';

describe('@medrl/preset-medical', () => {
  it('R = 0.6 * R_rules (0.1 + 0.1 + 0.1 + 0.3) + 0.4 * R_teacher', () => {
    expect(MEDICAL_REWARD_COMPONENTS.map((c) => [c.use, c.weight])).toEqual([
      ['rules/format', 0.1],
      ['rules/length', 0.1],
      ['rules/keyword', 0.1],
      ['rules/safety', 0.3],
      ['judge', 0.4],
    ]);
    const rules = MEDICAL_REWARD_COMPONENTS.filter((c) => c.use.startsWith('rules/'));
    expect(rules.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(0.6, 12);
  });

  it('is a config: the plugins by package, the judge order, the safety gate on rules/safety', () => {
    expect(presetMedical()).toEqual({
      plugins: [
        '@medrl/plugin-rules',
        '@medrl/plugin-judge-mock',
        '@medrl/plugin-judge-deepseek',
        '@medrl/plugin-checkpoint-hf',
      ],
      reward: { components: MEDICAL_REWARD_COMPONENTS },
      judge: { use: 'auto', auto: ['deepseek', 'mock'] },
      ppo: { safety_gate: { score: 'rules/safety' } },
      grpo: { safety_gate: { score: 'rules/safety' } },
      output: { report_to: ['tensorboard'] },
    });
    expect(MEDICAL_PLUGINS).toHaveLength(4);
    expect(MEDICAL_AUTO_JUDGES).toEqual(['deepseek', 'mock']);
    expect(MEDICAL_SAFETY_SCORE).toBe('rules/safety');
  });

  it('depends on every plugin it names, and so does the medrl CLI (a project that installs only medrl can train)', () => {
    const named = [...MEDICAL_PLUGINS, ...MEDICAL_LOGGERS.map((logger) => `@medrl/plugin-${logger}`)];
    for (const manifest of ['../package.json', '../../../core/cli/package.json']) {
      const { dependencies } = JSON.parse(readFileSync(new URL(manifest, import.meta.url), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      expect(
        named.filter((name) => !(name in dependencies)),
        manifest,
      ).toEqual([]);
    }
  });

  it('returns fresh copies, so a caller that edits one does not change the next', () => {
    const first = presetMedical();
    first.plugins!.push('x');
    first.reward!.components![0]!.weight = 9;
    const second = presetMedical();
    expect(second.plugins).toHaveLength(4);
    expect(second.reward!.components![0]!.weight).toBe(0.1);
  });
});
