/**
 * `medrl serve` end to end: the command from source in a child process with a local plugin,
 * a bearer token from the environment, a real SIGTERM while a request is in flight, and
 * node:cluster workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RewardBreakdown } from '@medrl/sdk';
import { untilListening } from '../helpers/server.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const TOKEN = 'test-serve-token-5f0c1d2e3a4b';
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const launcher = path.join(repoRoot, 'test/serve/serve-cli.ts');

/** A project whose only reward is answer length / 100 (a component value must lie in [-1, 1]), scored after `delayMs`. */
function project(delayMs: number, serveOptions: Record<string, unknown> = {}): string {
  return writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({
      plugins: [['./slow-length.mjs', { delayMs }]],
      reward: { components: [{ use: 'length/hundredth', weight: 1 }], clip: null },
      serve: serveOptions,
    }),
    'slow-length.mjs': `export default (options) => ({
      name: 'slow-length', apiVersion: '1.0',
      setup(api) {
        api.registerReward({ name: 'length/hundredth', async score(rollouts) {
          await new Promise((resolve) => setTimeout(resolve, options.delayMs));
          return rollouts.map((r) => ({ value: r.answer.length / 100, reasons: ['length/measured'] }));
        } });
      },
    });`,
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function serve(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  ready = /listening on (\S+)/,
): Promise<Served> {
  const child = spawn(process.execPath, ['--import', tsxLoader, launcher, '--port', '0', ...args], {
    cwd: dir,
    env: { ...process.env, MEDRL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return { child, ...(await untilListening(child, 'serve', ready)) };
}

describe('medrl serve', () => {
  it('requires the token from MEDRL_SERVE_TOKEN and finishes the in-flight request on SIGTERM', async () => {
    const { child, url, stderr, exited } = await serve(project(800), [], { MEDRL_SERVE_TOKEN: TOKEN });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr()).toMatch(/components: length\/hundredth; token: required/);

    const body = JSON.stringify({
      items: [{ id: 'q', prompt: 'Fever?', completion: '<think>t</think>See a doctor.' }],
    });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${url}/v1/reward`, { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const inFlight = fetch(`${url}/v1/reward`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${TOKEN}` },
      body,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');

    const res = await inFlight;
    expect(res.status).toBe(200);
    const json = (await res.json()) as { totals: number[]; breakdowns: RewardBreakdown[] };
    expect(json.totals).toEqual([0.13]);
    expect(json.breakdowns[0]!.components['length/hundredth']!.reasons).toEqual(['length/measured']);
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/SIGTERM: no new requests; finishing 1 in-flight request\(s\)/);
    expect(stderr()).toMatch(/server closed/);
    expect(stderr()).not.toContain(TOKEN);
  });

  it('runs node:cluster workers on one port, sums their metrics, replaces a dead one, stops all on SIGTERM', async () => {
    // Scoring threads are tested on their own; here each worker scores in its own thread (faster start).
    const { child, url, stderr, exited } = await serve(
      project(0, { threads: 0 }),
      ['--workers', '2'],
      {},
      /2 workers listening on (\S+)/,
    );
    const getReward = () =>
      fetch(`${url}/get_reward`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ['<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>'] }),
      });
    expect(await (await getReward()).json()).toEqual({
      rewards: [0.06],
      scores: [0.06],
      extra_logs: { 'length/hundredth': [0.06], dropped: [0], gated: [0] },
    });
    await fetch(`${url}/v1/reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [
          { prompt: 'p', completion: 'a' },
          { prompt: 'p', completion: 'b' },
        ],
      }),
    });
    // Whichever worker answers a scrape, it reports the sums over both workers.
    let metrics = '';
    for (let scrape = 0; scrape < 3; scrape++) {
      metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('medrl_serve_items_total{route="/get_reward"} 1');
      expect(metrics).toContain('medrl_serve_items_total{route="/v1/reward"} 2');
    }
    expect(metrics).toContain('medrl_serve_requests_total{route="/metrics",method="GET",status="200"} 2');

    // A worker that dies is replaced, and the port keeps answering meanwhile.
    const victim = Number(/worker 1 \(pid (\d+)\) listening/.exec(stderr())![1]);
    process.kill(victim, 'SIGKILL');
    await vi.waitFor(() => expect(stderr()).toMatch(/worker 3 \(pid \d+\) listening/), {
      timeout: 30_000,
      interval: 100,
    });
    expect(stderr()).toMatch(/worker 1 died \(signal SIGKILL\); starting a replacement/);
    expect((await getReward()).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr().match(/server closed/g)).toHaveLength(2);
  });

  it('fails with a clear message when the port is taken', async () => {
    const first = await serve(project(0), []);
    const port = new URL(first.url).port;
    const dir = project(0);
    const child = spawn(process.execPath, ['--import', tsxLoader, launcher, '--port', port], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*choose another with --port`),
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
