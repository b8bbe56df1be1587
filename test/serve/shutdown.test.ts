/** Graceful shutdown and client disconnects, over real loopback sockets. */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOnSignals } from '../../core/src/serve/lifecycle.js';
import { createServer, type MedrlServer } from '../../core/src/serve/server.js';
import { blockingComposer } from './fake-composer.js';

const PROMPT = '<|im_start|>user\nChest pain?<|im_end|>\n<|im_start|>assistant\n';
const BODY = JSON.stringify({ query: [`${PROMPT}Call 120.<|im_end|>`], prompts: [PROMPT], labels: [''] });
const EXPECTED = {
  rewards: [0.75],
  scores: [0.75],
  extra_logs: { format: [0], safety: [0.75], dropped: [0], gated: [0] },
};

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let server: MedrlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function listen(options: Record<string, unknown> = {}) {
  const composer = blockingComposer();
  server = createServer({ composer, options: { port: 0, ...options }, logger: quiet, processMetrics: false });
  const url = await server.listen();
  const post = (signal?: AbortSignal) =>
    fetch(`${url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal });
  return { composer, url, post };
}

/** GET on a connection of its own (no keep-alive pool): what a new client or health checker sees. */
function freshGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('binds 127.0.0.1 by default', async () => {
    await listen();
    const address = server!.app.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
  });

  it('finishes the in-flight request, refuses new ones, then closes', async () => {
    const { composer, url, post } = await listen();
    const inFlight = post();
    await composer.waitForPending(1);

    const closing = server!.close();
    let closed = false;
    void closing.then(() => (closed = true));
    // docs/scaling.md: while draining, new connections get 503 (not ECONNREFUSED), /healthz included.
    const health = await freshGet(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({ code: 'shutting_down' });
    const scoring = await freshGet(`${url}/metrics`);
    expect(scoring.status).toBe(503);
    expect(closed).toBe(false);

    composer.releaseAll();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual(EXPECTED);
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('on SIGTERM drains and resolves; a second signal forces', async () => {
    const { composer, post } = await listen();
    const signals = new EventEmitter();
    const onForce = vi.fn();
    const shutdown = closeOnSignals(server!, { logger: quiet, source: signals, onForce, inFlight: server!.inFlight });
    const inFlight = post();
    await composer.waitForPending(1);

    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    expect(onForce).toHaveBeenCalledWith('SIGINT');
    composer.releaseAll();
    expect((await inFlight).status).toBe(200);
    await expect(shutdown.closed).resolves.toBe('SIGTERM');
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('closes lingering requests after shutdownTimeout', async () => {
    const { composer, post } = await listen({ shutdownTimeout: 100 });
    const inFlight = post();
    await composer.waitForPending(1);
    const started = Date.now();
    await server!.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await expect(inFlight).rejects.toThrow();
    composer.releaseAll();
  });
});

describe('client disconnect', () => {
  it('aborts the scoring signal when the client goes away', async () => {
    const { composer, post } = await listen();
    const controller = new AbortController();
    const request = post(controller.signal);
    await composer.waitForPending(1);
    controller.abort();
    await expect(request).rejects.toThrow();
    await vi.waitFor(() => expect(composer.signals[0]!.aborted).toBe(true));
    expect(String(composer.signals[0]!.reason)).toMatch(/client closed the connection/);
    composer.releaseAll();
    await vi.waitFor(() => expect(server!.inFlight()).toBe(0));
    const started = Date.now();
    await server!.close();
    // No spare keep-alive connection of the client holds shutdown up.
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
