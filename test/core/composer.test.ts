import { describe, expect, it } from 'vitest';
import {
  createTestContext,
  type ComponentScore,
  type Judge,
  type Judgement,
  type RewardComponent,
  type Rollout,
} from '@medrl/sdk';
import { validateConfig } from '../../core/src/config/load.js';
import { buildComposer, RewardComposer, type ComposerTerm } from '../../core/src/reward/composer.js';
import { judgementToReward } from '../../core/src/reward/judge-component.js';
import { PluginRegistry } from '../../core/src/plugins/registry.js';
import { toRollout } from '../../core/src/reward/rollout.js';

const rollouts = (n: number): Rollout[] =>
  Array.from({ length: n }, (_, i) => toRollout({ id: `r${i}`, prompt: 'q', completion: 'a' }));

/** A component returning fixed per-rollout values (null = not applicable). */
function fixed(name: string, values: (number | null)[], reasons: string[] = []): RewardComponent {
  return {
    name,
    score: async (rs) =>
      rs.map((_, i) => (values[i] === null ? null : ({ value: values[i]!, reasons } as ComponentScore))),
  };
}

type Options = ConstructorParameters<typeof RewardComposer>[1];
const base: Options = { clip: null, normalize: 'none', gates: [], onMissing: 'renormalize' };
const composer = (terms: ComposerTerm[], options: Partial<Options> = {}) =>
  new RewardComposer(terms, { ...base, ...options }, createTestContext());

describe('weighted sum', () => {
  it('total = sum of weight * raw, with the breakdown of every component', async () => {
    const c = composer([
      { name: 'a', weight: 0.6, component: fixed('a', [1, 0.5], ['a/fired']) },
      { name: 'b', weight: 0.4, component: fixed('b', [0.25, -1]) },
    ]);
    const [first, second] = await c.score(rollouts(2));
    expect(first!.total).toBeCloseTo(0.6 * 1 + 0.4 * 0.25, 12);
    expect(second!.total).toBeCloseTo(0.6 * 0.5 + 0.4 * -1, 12);
    expect(first!.components.a).toEqual({ raw: 1, weight: 0.6, weighted: 0.6, reasons: ['a/fired'] });
    expect(first!.components.b!.weighted).toBeCloseTo(0.1, 12);
  });

  it('expresses the seed pipeline R = 0.6 R_rules + 0.4 R_teacher', async () => {
    const c = composer([
      { name: 'rules', weight: 0.6, component: fixed('rules', [0.5]) },
      { name: 'teacher', weight: 0.4, component: fixed('teacher', [0.75]) },
    ]);
    expect((await c.score(rollouts(1)))[0]!.total).toBeCloseTo(0.6, 12);
  });
});

describe('clip and gates', () => {
  it('clips the weighted sum', async () => {
    const c = composer([{ name: 'a', weight: 2, component: fixed('a', [1, -1, 0.1]) }], { clip: [-1, 1] });
    expect((await c.score(rollouts(3))).map((b) => b.total)).toEqual([1, -1, 0.2]);
  });

  it('a gate on a details field forces the total after clipping; the first matching gate wins', async () => {
    const judge: RewardComponent = {
      name: 'judge',
      score: async (rs) =>
        rs.map((_, i) => ({ value: 0.9, details: { judgement: { scores: { safety: [0, 5][i] } } } })),
    };
    const c = composer([{ name: 'judge', weight: 1, component: judge }], {
      clip: [-1, 1],
      gates: [
        { component: 'judge', field: 'judgement.scores.safety', op: 'eq', value: 0, total: -1 },
        { component: 'judge', field: 'raw', op: 'gte', value: 0.5, total: 0.123, name: 'second' },
      ],
    });
    const [unsafe, safe] = await c.score(rollouts(2));
    expect(unsafe).toMatchObject({ total: -1, gate: 'judge.judgement.scores.safety eq 0' });
    expect(safe).toMatchObject({ total: 0.123, gate: 'second' });
  });
});

describe('missing values', () => {
  const terms = (): ComposerTerm[] => [
    { name: 'a', weight: 0.6, component: fixed('a', [0.5, 0.5]) },
    { name: 'b', weight: 0.4, component: fixed('b', [null, 1]) },
  ];

  it('renormalize rescales present weights to the configured total', async () => {
    const [missing, full] = await composer(terms(), { onMissing: 'renormalize' }).score(rollouts(2));
    expect(missing!.total).toBeCloseTo(0.5, 12); // 0.6 * (1.0 / 0.6) * 0.5
    expect(missing!.components.a!.weight).toBeCloseTo(1, 12);
    expect(missing!.components.b).toMatchObject({ raw: null, weighted: null });
    expect(full!.total).toBeCloseTo(0.7, 12);
  });

  it('drop gives a null total with the reason', async () => {
    const [missing, full] = await composer(terms(), { onMissing: 'drop' }).score(rollouts(2));
    expect(missing).toMatchObject({ total: null, dropped: 'missing: b' });
    expect(full!.total).toBeCloseTo(0.7, 12);
  });

  it('fail throws naming the component and the rollout', async () => {
    await expect(composer(terms(), { onMissing: 'fail' }).score(rollouts(2))).rejects.toThrow(
      'reward component "b": no score for rollout "r0"',
    );
  });

  it('a sample no component scored is dropped even under renormalize', async () => {
    const c = composer([{ name: 'a', weight: 1, component: fixed('a', [null]) }]);
    expect((await c.score(rollouts(1)))[0]).toMatchObject({ total: null, dropped: 'no component scored: a' });
  });
});

describe('running normalization', () => {
  it('standardizes each component with running mean/std updated by the batch first', async () => {
    const c = composer([{ name: 'a', weight: 1, component: fixed('a', [1, 3]) }], { normalize: 'running' });
    const first = await c.score(rollouts(2));
    // mean 2, population std 1
    expect(first.map((b) => b.components.a!.normalized)).toEqual([-1, 1]);
    expect(first.map((b) => b.total)).toEqual([-1, 1]);
    const second = await c.score(rollouts(2)); // now 1,3,1,3: mean 2, std 1
    expect(second.map((b) => b.total)).toEqual([-1, 1]);
    expect(c.state().a).toMatchObject({ count: 4, mean: 2 });
  });
});

describe('component errors name the component', () => {
  it.each([
    ['NaN', fixed('bad', [Number.NaN]), /reward component "bad": returned a non-finite value \(NaN\) for rollout "r0"/],
    ['Infinity', fixed('bad', [Infinity]), /non-finite value \(Infinity\)/],
    ['wrong count', { name: 'bad', score: async () => [] } as RewardComponent, /returned 0 scores for 1 rollouts/],
    [
      'throws',
      {
        name: 'bad',
        score: async () => {
          throw new Error('kaput');
        },
      } as RewardComponent,
      /reward component "bad": threw: kaput/,
    ],
  ])('%s', async (_n, component, message) => {
    await expect(composer([{ name: 'bad', weight: 1, component }]).score(rollouts(1))).rejects.toThrow(message);
  });
});

describe('judge-derived component', () => {
  const judgement = (scores: Judgement['scores']): Judgement => ({ scores, overall: 0.5, critique: 'ok' });
  const weights = { safety: 0.4, reasoning: 0.3, completeness: 0.2, empathy: 0.1 };

  it('weights dimensions and normalizes to [0, 1]', () => {
    const { value } = judgementToReward(
      judgement({ safety: 10, reasoning: 5, completeness: 0, empathy: 10 }),
      weights,
      true,
    );
    expect(value).toBeCloseTo(0.4 + 0.15 + 0 + 0.1, 12);
  });

  it('safety 0 forces 0 when the gate is on, not when it is off', () => {
    const j = judgement({ safety: 0, reasoning: 10, completeness: 10, empathy: 10 });
    expect(judgementToReward(j, weights, true)).toEqual({ value: 0, gated: true });
    expect(judgementToReward(j, weights, false).value).toBeCloseTo(0.6, 12);
  });

  function registryWith(judges: Judge[]): PluginRegistry {
    const registry = new PluginRegistry();
    for (const j of judges) registry.judges.add(j, 'test');
    return registry;
  }
  const fakeJudge = (name: string, result: (Judgement | null)[], available = true): Judge => ({
    name,
    available: () => available,
    judge: async () => result,
  });

  it('auto picks deepseek when available, else mock with a notice; missing verdicts stay missing', async () => {
    const config = validateConfig({ reward: { components: [{ use: 'judge', weight: 1 }] } }, 'test');
    const good = judgement({ safety: 10, reasoning: 10, completeness: 10, empathy: 10 });
    const ctx = createTestContext();
    const withKey = buildComposer(
      config,
      registryWith([fakeJudge('deepseek', [good]), fakeJudge('mock', [null])]),
      ctx,
    );
    expect((await withKey.score(rollouts(1)))[0]!.total).toBe(1);

    const noKey = buildComposer(
      config,
      registryWith([fakeJudge('deepseek', [good], false), fakeJudge('mock', [null])]),
      ctx,
    );
    expect(ctx.logs.some((l) => /mock judge/.test(l.message))).toBe(true);
    expect((await noKey.score(rollouts(1)))[0]).toMatchObject({ total: null, components: { judge: { raw: null } } });
  });

  it('an unknown component or judge names what is registered', () => {
    const ctx = createTestContext();
    const unknown = validateConfig({ reward: { components: [{ use: 'rules/nope', weight: 1 }] } }, 'test');
    expect(() => buildComposer(unknown, registryWith([]), ctx)).toThrow(
      /reward\.components\[0\]\.use: no reward component "rules\/nope"/,
    );
    const badJudge = validateConfig(
      { judge: { use: 'gpt' }, reward: { components: [{ use: 'judge', weight: 1 }] } },
      'test',
    );
    expect(() => buildComposer(badJudge, registryWith([fakeJudge('mock', [])]), ctx)).toThrow(
      'judge "gpt" is not registered; registered judges: mock',
    );
  });
});
