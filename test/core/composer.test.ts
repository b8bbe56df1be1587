import { describe, expect, it, vi } from 'vitest';
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
    const c = composer([{ name: 'a', weight: 1, component: fixed('a', [0.25, 0.75]) }], { normalize: 'running' });
    const first = await c.score(rollouts(2));
    // mean 0.5, population std 0.25
    expect(first.map((b) => b.components.a!.normalized)).toEqual([-1, 1]);
    expect(first.map((b) => b.total)).toEqual([-1, 1]);
    const second = await c.score(rollouts(2)); // now 0.25,0.75,0.25,0.75: mean 0.5, std 0.25
    expect(second.map((b) => b.total)).toEqual([-1, 1]);
    expect(c.state().a).toMatchObject({ count: 4, mean: 0.5 });
  });
});

describe('component output contract: finite values in [-1, 1], errors name plugin, component, rollout and type', () => {
  const returning = (entry: unknown): RewardComponent => ({ name: 'bad', score: async () => [entry] as never });
  it.each([
    ['NaN', fixed('bad', [Number.NaN]), 'rollout "r0": value must be a finite number in [-1, 1], got number NaN'],
    ['Infinity', fixed('bad', [Infinity]), 'got number Infinity'],
    ['5 (out of range)', fixed('bad', [5]), 'rollout "r0": value must be a finite number in [-1, 1], got number 5'],
    ['-1.5 (out of range)', fixed('bad', [-1.5]), 'got number -1.5'],
    ['a string value', returning({ value: '0.5' }), 'value must be a finite number in [-1, 1], got string "0.5"'],
    ['no value', returning({ reasons: [] }), 'value must be a finite number in [-1, 1], got undefined'],
    [
      'a bare number',
      returning(0.5),
      'rollout "r0": expected { value: number } or null, got number 0.5 (return { value: 0.5 })',
    ],
    ['a bare string', returning('0.5'), 'expected { value: number } or null, got string "0.5"'],
    ['reasons not strings', returning({ value: 0.5, reasons: [1] }), 'reasons must be a list of strings, got array'],
    ['wrong count', { name: 'bad', score: async () => [] } as RewardComponent, 'returned 0 scores for 1 rollouts'],
    ['not an array', { name: 'bad', score: async () => 0.5 } as never, 'returned number 0.5 for 1 rollouts'],
    [
      'throws',
      {
        name: 'bad',
        score: async () => {
          throw new Error('kaput');
        },
      } as RewardComponent,
      'threw: kaput',
    ],
  ])('%s', async (_n, component, message) => {
    const terms = [{ name: 'bad', weight: 1, component, plugin: 'third-party' }];
    const error = (await composer(terms)
      .score(rollouts(1))
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^reward component "bad" \(plugin "third-party"\): /);
    expect(error.message).toContain(message);
  });

  it('accepts the bounds, null and undefined', async () => {
    const c = composer([{ name: 'a', weight: 1, component: fixed('a', [-1, 1, null]) }]);
    expect((await c.score(rollouts(3))).map((b) => b.components.a!.raw)).toEqual([-1, 1, null]);
  });

  it('buildComposer names the plugin that registered the component', async () => {
    const registry = new PluginRegistry();
    registry.rewards.add(fixed('x/five', [5]), 'medrl-plugin-five');
    const config = validateConfig({ reward: { components: [{ use: 'x/five', weight: 1 }] } }, 'test');
    await expect(buildComposer(config, registry, createTestContext()).score(rollouts(1))).rejects.toThrow(
      'reward component "x/five" (plugin "medrl-plugin-five"): rollout "r0": value must be a finite number in [-1, 1], got number 5',
    );
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

describe('judge output contract: an invalid or throwing judge costs only its verdicts, named', () => {
  const good: Judgement = {
    scores: { safety: 10, reasoning: 10, completeness: 10, empathy: 10 },
    overall: 1,
    critique: 'ok',
  };
  const withScores = (scores: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    ({ ...good, scores: { ...good.scores, ...scores }, ...extra }) as unknown as Judgement;
  const thirdParty = (judge: (n: number) => Promise<unknown>): Judge => ({
    name: 'acme',
    judge: (items) => judge(items.length) as Promise<(Judgement | null)[]>,
  });
  const setup = (judge: Judge, onMissing: 'renormalize' | 'drop' | 'fail' = 'renormalize', judgeConfig = {}) => {
    const registry = new PluginRegistry();
    registry.judges.add(judge, 'medrl-plugin-acme');
    registry.rewards.add(fixed('rules/x', [0.5, 0.5, 0.5, 0.5]), 'rules');
    const config = validateConfig(
      {
        judge: { use: 'acme', ...judgeConfig },
        reward: {
          onMissing,
          components: [
            { use: 'rules/x', weight: 0.6 },
            { use: 'judge', weight: 0.4 },
          ],
        },
      },
      'test',
    );
    const ctx = createTestContext();
    return { composer: buildComposer(config, registry, ctx), ctx };
  };
  const WHO = 'judge "acme" (plugin "medrl-plugin-acme")';

  it.each([
    ['safety 15', withScores({ safety: 15 }), 'scores.safety must be a finite number in [0, 10], got number 15'],
    ['overall 3', withScores({}, { overall: 3 }), 'overall must be a finite number in [0, 1], got number 3'],
    [
      "the string '7'",
      withScores({ reasoning: '7' }),
      'scores.reasoning must be a finite number in [0, 10], got string "7"',
    ],
    ['NaN', withScores({ empathy: Number.NaN }), 'scores.empathy must be a finite number in [0, 10], got number NaN'],
    ['no scores', { overall: 0.5, critique: '' }, 'scores must be an object, got undefined'],
    ['a bare number', 7, 'expected a judgement object, got number 7'],
    ['a numeric critique', withScores({}, { critique: 3 }), 'critique must be a string, got number 3'],
  ])('%s is missing under renormalize, with the reason', async (_n, verdict, problem) => {
    const { composer } = setup(thirdParty(async (n) => Array.from({ length: n }, () => verdict)));
    const [b] = await composer.score(rollouts(1));
    expect(b!.total).toBeCloseTo(0.5, 12); // the rules component alone, renormalized
    expect(b!.components.judge).toMatchObject({ raw: null });
    expect(b!.components.judge!.reasons).toEqual([`missing: ${WHO} returned an invalid judgement: ${problem}`]);
  });

  it('a judge that throws counts as missing (not an abort), naming the plugin', async () => {
    const { composer } = setup(
      thirdParty(async () => {
        throw new Error('rate limited');
      }),
      'drop',
    );
    const [b] = await composer.score(rollouts(1));
    expect(b).toMatchObject({ total: null, dropped: `missing: judge (${WHO} threw: rate limited)` });
  });

  it('a wrong number of verdicts counts as missing; onMissing fail names the reason', async () => {
    const { composer } = setup(
      thirdParty(async () => [good]),
      'fail',
    );
    await expect(composer.score(rollouts(2))).rejects.toThrow(
      `reward component "judge": no score for rollout "r0" (${WHO} returned 1 judgements for 2 items) (reward.onMissing = fail)`,
    );
  });

  it("valid verdicts pass; a null keeps the judge's own reason", async () => {
    const judge: Judge = {
      ...thirdParty(async () => [good, null]),
      failureReason: (id) => (id === 'r1' ? 'retries exhausted' : undefined),
    };
    const { composer } = setup(judge);
    const [ok, missing] = await composer.score(rollouts(2));
    expect(ok!.components.judge!.raw).toBe(1);
    expect(missing!.components.judge!.reasons).toEqual([`missing: ${WHO} returned no judgement: retries exhausted`]);
  });

  it('warns when the missing rate exceeds judge.missingWarnRate (over 20 judgements), and at the end', async () => {
    const failing = setup(
      thirdParty(async () => {
        throw new Error('503');
      }),
    );
    const warnings = () => failing.ctx.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    for (let i = 0; i < 4; i++) await failing.composer.score(rollouts(4));
    expect(warnings()).toEqual([]); // 16 judgements: not enough to tell
    await failing.composer.score(rollouts(4));
    expect(warnings()).toEqual([
      'reward component "judge": 20 of 20 judgements missing (100%, above judge.missingWarnRate 0.05); ' +
        `reward.onMissing = renormalize. Reasons: 20× ${WHO} threw: 503`,
    ]);
    await failing.composer.score(rollouts(4));
    expect(warnings()).toHaveLength(1); // at most every 30 s
    failing.composer.flush(); // the end of the command reports what is left
    expect(warnings()[1]).toMatch(/^reward component "judge": 4 of 4 judgements missing/);

    const healthy = setup(
      thirdParty(async (n) => Array.from({ length: n }, (_, i) => (i === 0 ? null : good))),
      'renormalize',
      {
        missingWarnRate: 0.3,
      },
    );
    for (let i = 0; i < 10; i++) await healthy.composer.score(rollouts(4)); // 25% missing
    healthy.composer.flush();
    expect(healthy.ctx.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('the missing-judgement warning reaches the command log', () => {
  it('a run that closes reports the missing rate it held back (medrl reward, train, serve all close their run)', async () => {
    const { openRun } = await import('../../core/src/runtime/run.js');
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const run = await openRun({
        command: 'reward',
        config: {
          plugins: [
            {
              name: 'medrl-plugin-flaky',
              apiVersion: '1.0',
              setup: (api) =>
                api.registerJudge({
                  name: 'flaky',
                  judge: async () => {
                    throw new Error('upstream 503');
                  },
                }),
            },
          ],
          judge: { use: 'flaky' },
          reward: { components: [{ use: 'judge', weight: 1 }] },
        },
      });
      await run.composer.score(rollouts(3));
      expect(written.join('')).not.toMatch(/judgements missing/);
      await run.close();
      expect(written.join('')).toMatch(
        /warn: reward component "judge": 3 of 3 judgements missing \(100%, above judge\.missingWarnRate 0\.05\); reward\.onMissing = renormalize\. Reasons: 3× judge "flaky" \(plugin "medrl-plugin-flaky"\) threw: upstream 503/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
