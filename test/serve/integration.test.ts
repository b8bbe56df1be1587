/**
 * The server on a real run: openRun with an inline config, its plugins and RewardComposer,
 * exactly as `medrl serve` wires them (serve-run.ts), driven over fastify's inject.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type Rollout } from '@medrl/sdk';
import { openRun, type Run } from '../../core/runtime/src/runtime/run.js';
import { createServer, type MedrlServer } from '../../core/serve/src/server.js';

const PROMPT =
  '<|im_start|>system\nBe careful.<|im_end|>\n<|im_start|>user\nChest pain, what now?<|im_end|>\n<|im_start|>assistant\n';

/** answer/long: 1 when the answer has at least 10 characters; risk/known: 1 when the sample has a risk level, else no score. */
const seen: Rollout[] = [];
const testPlugin = definePlugin({
  name: 'serve-integration',
  apiVersion: '1.0',
  setup(api) {
    api.registerReward({
      name: 'answer/long',
      async score(rollouts) {
        seen.push(...rollouts);
        return rollouts.map((r) => ({ value: (r.answer ?? '').length >= 10 ? 1 : 0, reasons: ['answer/measured'] }));
      },
    });
    api.registerReward({
      name: 'risk/known',
      async score(rollouts) {
        return rollouts.map((r) => (r.meta.risk_level ? { value: r.meta.risk_level === 'critical' ? 0 : 1 } : null));
      },
    });
  },
});

let run: Run | undefined;
let server: MedrlServer | undefined;
afterEach(async () => {
  await server?.close();
  await run?.close();
  server = undefined;
  run = undefined;
  seen.length = 0;
});

async function start(reward: Record<string, unknown>, serve: Record<string, unknown> = {}): Promise<MedrlServer> {
  run = await openRun({
    command: 'serve',
    config: {
      plugins: [testPlugin],
      reward: {
        components: [
          { use: 'answer/long', weight: 0.25 },
          { use: 'risk/known', weight: 0.75 },
        ],
        clip: null,
        ...reward,
      },
      serve,
    },
  });
  server = createServer({ composer: run.composer, options: run.config.serve, processMetrics: false });
  return server;
}

const body = (labels: string[], answers: string[]) => ({
  query: answers.map((a) => `${PROMPT}<think>reasoning</think>${a}<|im_end|>`),
  prompts: answers.map(() => PROMPT),
  labels,
});

describe('medrl serve on the real composer', () => {
  it('renormalizes a missing component and keeps component order from the config', async () => {
    const app = (await start({ onMissing: 'renormalize' })).app;
    const res = await app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: body(['{"risk_level": "high"}', ''], ['Call 120 right now.', 'Rest.']),
    });
    expect(res.statusCode).toBe(200);
    // second sample: risk/known has no score, answer/long carries the whole weight (0.25 -> 1) and scores 0
    expect(res.json()).toEqual({
      rewards: [1, 0],
      scores: [1, 0],
      extra_logs: { 'answer/long': [0.25, 0], 'risk/known': [0.75, 0], dropped: [0, 0], gated: [0, 0] },
    });
    expect(seen.map((r) => [r.prompt, r.think, r.answer, r.meta.risk_level])).toEqual([
      ['Chest pain, what now?', 'reasoning', 'Call 120 right now.', 'high'],
      ['Chest pain, what now?', 'reasoning', 'Rest.', undefined],
    ]);
  });

  it('reports a dropped sample as null with the composer reason, or as serve.droppedReward', async () => {
    let app = (await start({ onMissing: 'drop' })).app;
    const payload = body(['{"risk_level": "low"}', 'plain label'], ['Drink water and rest.', 'Drink water and rest.']);
    let res = await app.inject({ method: 'POST', url: '/get_reward', payload });
    expect(res.json()).toEqual({
      rewards: [1, null],
      scores: [1, null],
      extra_logs: { 'answer/long': [0.25, 0], 'risk/known': [0.75, 0], dropped: [0, 1], gated: [0, 0] },
      dropped: [{ index: 1, reason: 'missing: risk/known' }],
    });
    await server!.close();
    await run!.close();

    app = (await start({ onMissing: 'drop' }, { droppedReward: -1 })).app;
    res = await app.inject({ method: 'POST', url: '/get_reward', payload });
    expect(res.json().rewards).toEqual([1, -1]);
    expect(res.json().extra_logs.dropped).toEqual([0, 1]);
  });

  it('flags gated samples and returns full breakdowns on /v1/reward', async () => {
    const gates = [{ component: 'risk/known', op: 'lt', value: 0.5, total: -1, name: 'critical-risk' }];
    const app = (await start({ gates })).app;
    const res = await app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: body(['{"risk_level": "critical"}'], ['Call 120 right now.']),
    });
    expect(res.json()).toEqual({
      rewards: [-1],
      scores: [-1],
      extra_logs: { 'answer/long': [0.25], 'risk/known': [0], dropped: [0], gated: [1] },
    });

    const v1 = await app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: {
        items: [{ id: 'x', prompt: 'q', completion: 'Call 120 right now.', meta: { risk_level: 'critical' } }],
      },
    });
    expect(v1.json()).toEqual({
      totals: [-1],
      breakdowns: [
        {
          id: 'x',
          total: -1,
          gate: 'critical-risk',
          components: {
            'answer/long': { raw: 1, weight: 0.25, weighted: 0.25, reasons: ['answer/measured'] },
            'risk/known': { raw: 0, weight: 0.75, weighted: 0, reasons: [] },
          },
        },
      ],
    });
  });
});
