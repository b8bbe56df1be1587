/**
 * Scoring threads (serve.threads): a component that keeps its thread busy for seconds does not keep
 * /healthz waiting; refusals made on a thread keep their status and field; plugin metrics and judge
 * usage of the threads reach /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRun, type Run } from '../../core/src/runtime/run.js';
import { ScorePool } from '../../core/src/serve/score-pool.js';
import { createServer, type MedrlServer } from '../../core/src/serve/server.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** `busy/spin`: blocks its thread for the number of milliseconds in the completion, then scores 0.5. */
const BUSY_PLUGIN = `export default () => ({
  name: 'busy', apiVersion: '1.0',
  setup(api) {
    api.registerReward({ name: 'busy/spin', async score(rollouts, ctx) {
      for (const r of rollouts) {
        const until = Date.now() + Number(r.completion);
        while (Date.now() < until) {}
        ctx.metrics.increment('spun');
      }
      return rollouts.map(() => ({ value: 0.5 }));
    } });
  },
});`;

let dir: string;
let run: Run;
let pool: ScorePool;
let server: MedrlServer;
let url: string;

beforeAll(async () => {
  dir = writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({
      plugins: ['./busy.mjs'],
      reward: { components: [{ use: 'busy/spin', weight: 1 }], clip: null },
    }),
    'busy.mjs': BUSY_PLUGIN,
  });
  run = await openRun({ command: 'serve', cwd: dir });
  pool = await ScorePool.start(1, { configPath: run.configPath, cwd: run.rootDir }, quiet);
  server = createServer({
    composer: run.composer,
    pool,
    judges: pool.judgeViews(),
    pluginMetrics: () => pool.pluginMetrics(),
    options: { port: 0 },
    logger: quiet,
    processMetrics: false,
  });
  url = await server.listen();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await run?.close();
});

const post = (path: string, body: string | Buffer) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('scoring threads', () => {
  it('answers /healthz while a request keeps its scoring thread busy', async () => {
    const order: string[] = [];
    const scoring = post('/v1/reward', JSON.stringify({ items: [{ prompt: 'p', completion: '2500' }] })).then(
      async (res) => {
        order.push('scored');
        return res;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    const health = await fetch(`${url}/healthz`);
    order.push('healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', inFlight: 1, components: ['busy/spin'] });
    const res = await scoring;
    expect(order).toEqual(['healthz', 'scored']);
    expect(((await res.json()) as { totals: number[] }).totals).toEqual([0.5]);
  }, 60_000);

  it('keeps the status, code and field of a refusal made on the thread', async () => {
    const res = await post('/get_reward', JSON.stringify({ query: ['a', 2] }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_body', issues: [{ path: 'query.1' }] });
    const bad = await post(
      '/v1/reward',
      Buffer.concat([
        Buffer.from('{"items": [{"prompt": "p", "completion": "ok '),
        Buffer.from([0xff]),
        Buffer.from('"}]}'),
      ]),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_utf8', issues: [{ path: 'items.0.completion' }] });
  });

  it("reports the threads' plugin metrics in /metrics", async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/medrl_plugin_metric\{name="(busy\/)?spun"\} 1\n/);
  });
});
