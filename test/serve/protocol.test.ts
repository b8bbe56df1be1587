/**
 * Exact protocol fixtures: each case posts a recorded request and compares the whole JSON reply,
 * and the rollouts the composer received (question and completion recovered from the query).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rollout } from '@medrl/sdk';
import { createServer, type MedrlServer } from '../../core/serve/src/server.js';
import { fakeComposer } from './fake-composer.js';

interface GetRewardCase {
  name: string;
  options?: Record<string, unknown>;
  request: unknown;
  rollouts?: Rollout[];
  response: unknown;
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
const getReward = fixture('get-reward.json') as { cases: GetRewardCase[] };
const v1Reward = fixture('v1-reward.json') as { request: unknown; rollouts: Rollout[]; response: unknown };

let server: MedrlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('POST /get_reward (OpenRLHF)', () => {
  it.each(getReward.cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const composer = fakeComposer();
    server = createServer({ composer, options: testCase.options, processMetrics: false });
    const res = await server.app.inject({ method: 'POST', url: '/get_reward', payload: testCase.request as object });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(testCase.response);
    if (testCase.rollouts) {
      expect(composer.calls).toHaveLength(1);
      expect(composer.calls[0]!.rollouts).toEqual(testCase.rollouts);
    }
  });
});

describe('POST /v1/reward', () => {
  it('returns totals and full breakdowns with reasons, in request order', async () => {
    const composer = fakeComposer();
    server = createServer({ composer, processMetrics: false });
    const res = await server.app.inject({ method: 'POST', url: '/v1/reward', payload: v1Reward.request as object });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(v1Reward.response);
    expect(composer.calls[0]!.rollouts).toEqual(v1Reward.rollouts);
    expect(composer.calls[0]!.step).toBe(7);
    expect(composer.calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('GET /healthz and /metrics', () => {
  it('reports health and counts requests, items, drops and judge usage', async () => {
    const judge = {
      name: 'deepseek',
      judge: async () => [],
      stats: () => ({ promptTokens: 1200, completionTokens: 300, cost: 0.0042, cacheHits: 5 }),
    };
    server = createServer({
      composer: fakeComposer(),
      judges: [judge],
      pluginMetrics: () => ({ 'rules/fired': 3 }),
      processMetrics: false,
    });
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', inFlight: 0, components: ['format', 'safety'] });

    const batch = getReward.cases.find((c) => c.name.startsWith('a batch in order'))!;
    await server.app.inject({ method: 'POST', url: '/get_reward', payload: batch.request as object });
    await server.app.inject({ method: 'POST', url: '/get_reward', payload: { query: 'not a list' } });

    const res = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('medrl_serve_requests_total{route="/get_reward",method="POST",status="200"} 1');
    expect(text).toContain('medrl_serve_requests_total{route="/get_reward",method="POST",status="400"} 1');
    expect(text).toContain('medrl_serve_items_total{route="/get_reward"} 3');
    expect(text).toContain('medrl_serve_dropped_items_total{route="/get_reward"} 1');
    expect(text).toContain('medrl_serve_request_duration_seconds_count{route="/get_reward"} 2');
    expect(text).toContain('medrl_judge_usage{judge="deepseek",stat="promptTokens"} 1200');
    expect(text).toContain('medrl_judge_usage{judge="deepseek",stat="cost"} 0.0042');
    expect(text).toContain('medrl_plugin_metric{name="rules/fired"} 3');
  });
});
