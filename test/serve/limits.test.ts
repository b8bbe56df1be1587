/** Safety of the server: bearer token, body limit, malformed bodies, concurrency limit, timeout, failures. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type CreateServerOptions, type MedrlServer } from '../../core/src/serve/server.js';
import { bearerChecker } from '../../core/src/serve/auth.js';
import { registerSecret } from '../../core/src/logging.js';
import { blockingComposer, fakeComposer } from './fake-composer.js';

const PROMPT = '<|im_start|>user\nChest pain?<|im_end|>\n<|im_start|>assistant\n';
const GOOD_BODY = { query: [`${PROMPT}Call 120.<|im_end|>`], prompts: [PROMPT], labels: [''] };
const TOKEN = 'serve-token-0123456789abcdef';

let server: MedrlServer | undefined;
function start(init: Partial<CreateServerOptions> = {}): MedrlServer {
  server = createServer({ composer: fakeComposer(), processMetrics: false, ...init });
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** POSTs a raw JSON body (a string or bytes, sent as is) to a fresh server. */
function postJson(url: string, payload: string | Buffer, init: Partial<CreateServerOptions> = {}) {
  return start(init).app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
}

describe('bearer token', () => {
  const logs: string[] = [];
  const logger = {
    debug: (m: string) => logs.push(m),
    info: (m: string) => logs.push(m),
    warn: (m: string) => logs.push(m),
    error: (m: string) => logs.push(m),
  };

  it.each([
    ['no header', undefined, 401],
    ['wrong token', `Bearer ${TOKEN}x`, 401],
    ['token prefix only', `Bearer ${TOKEN.slice(0, 10)}`, 401],
    ['another scheme', `Basic ${TOKEN}`, 401],
    ['bare token', TOKEN, 401],
    ['right token', `Bearer ${TOKEN}`, 200],
    ['scheme in lower case', `bearer ${TOKEN}`, 200],
  ])('%s -> %i', async (_name, authorization, status) => {
    const app = start({ token: TOKEN, logger }).app;
    const res = await app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: GOOD_BODY,
      headers: authorization ? { authorization } : {},
    });
    expect(res.statusCode).toBe(status);
    if (status === 401) {
      expect(res.headers['www-authenticate']).toBe('Bearer realm="medrl"');
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'unauthorized' });
    }
    expect(res.body).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('leaves /healthz open, guards /metrics unless metricsRequireToken is false', async () => {
    let app = start({ token: TOKEN }).app;
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/reward', payload: { items: [] } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/unknown' })).statusCode).toBe(401);
    await server!.close();

    app = start({ token: TOKEN, options: { metricsRequireToken: false } }).app;
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('needs no header when no token is configured', async () => {
    const res = await start().app.inject({ method: 'POST', url: '/get_reward', payload: GOOD_BODY });
    expect(res.statusCode).toBe(200);
  });

  it('compares whole tokens only', () => {
    const check = bearerChecker('abc');
    expect(check('Bearer abc')).toBe(true);
    expect(check('Bearer abcd')).toBe(false);
    expect(check('Bearer ab')).toBe(false);
    expect(check('Bearer ')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(() => bearerChecker('')).toThrow(/empty/);
  });
});

describe('body limit', () => {
  it('answers 413 above serve.bodyLimit, naming the setting', async () => {
    const app = start({ options: { bodyLimit: 1024 } }).app;
    const res = await app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: { query: ['x'.repeat(2000)], prompts: [''] },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'body_too_large',
      message: 'request body is larger than serve.bodyLimit (1024 bytes)',
    });
  });

  it('defaults to 10 MB', async () => {
    const app = start().app;
    const prompt = 'q';
    const just = 10 * 1024 * 1024 - 100;
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: JSON.stringify({ items: [{ prompt, completion: 'x'.repeat(just) }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.statusCode).toBe(200);
    const tooBig = await app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: JSON.stringify({ items: [{ prompt, completion: 'x'.repeat(just + 200) }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooBig.statusCode).toBe(413);
  });
});

describe('malformed bodies get 400 naming the field', () => {
  const cases: [string, string, string, string, RegExp][] = [
    ['/get_reward', '{"query": [', 'invalid_json', '', /not valid JSON/],
    ['/get_reward', '', 'invalid_json', '', /empty/],
    ['/get_reward', '[]', 'invalid_body', '(body)', /expected object/],
    ['/get_reward', '{"query": "one"}', 'invalid_body', 'query', /expected array/],
    ['/get_reward', '{"query": ["a", 2]}', 'invalid_body', 'query.1', /expected string/],
    ['/get_reward', '{"query": ["a"], "prompts": ["a", "b"]}', 'invalid_body', 'prompts', /2 entries but query has 1/],
    ['/get_reward', '{"query": ["a"], "labels": []}', 'invalid_body', 'labels', /0 entries/],
    ['/get_reward', '{"query": ["no markers here"]}', 'invalid_body', 'query.0', /no prompts\.0 was sent/],
    ['/get_reward', '{"query": ["abc"], "prompts": ["xyz"]}', 'invalid_body', 'query.0', /not part of the query/],
    [
      '/get_reward',
      JSON.stringify({ query: [`${PROMPT}ok`], prompts: [PROMPT], labels: ['{"risk_level": "extreme"}'] }),
      'invalid_body',
      'labels.0.risk_level',
      /read as sample meta/,
    ],
    ['/v1/reward', '{}', 'invalid_body', 'items', /expected array/],
    ['/v1/reward', '{"items": [{"prompt": "p"}]}', 'invalid_body', 'items.0.completion', /expected string/],
    [
      '/v1/reward',
      '{"items": [{"prompt": "p", "completion": "c", "meta": {"risk_level": "extreme"}}]}',
      'invalid_body',
      'items.0.meta.risk_level',
      /Invalid option/,
    ],
    ['/v1/reward', '{"items": [], "step": -1}', 'invalid_body', 'step', /too small/i],
  ];

  it.each(cases)('%s %s -> %s %s', async (url, payload, code, path, message) => {
    const res = await postJson(url, payload);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe(code);
    expect(body.message).toMatch(message);
    if (path) {
      expect(body.issues[0].path).toBe(path);
      expect(body.message.startsWith(`${path}: `)).toBe(true);
    }
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await start().app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: 'query=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('refuses batches above serve.maxBatchSize', async () => {
    const res = await start({ options: { maxBatchSize: 2 } }).app.inject({
      method: 'POST',
      url: '/get_reward',
      payload: { query: ['a', 'b', 'c'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('query');
  });
});

describe('concurrency limit and timeout', () => {
  it('answers 429 with Retry-After when maxConcurrency requests are being scored', async () => {
    const composer = blockingComposer();
    const app = start({ composer, options: { maxConcurrency: 2, retryAfter: 3 } }).app;
    const post = () => app.inject({ method: 'POST', url: '/get_reward', payload: GOOD_BODY });
    const first = post();
    const second = post();
    await composer.waitForPending(2);
    expect(server!.inFlight()).toBe(2);

    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('3');
    expect(refused.json()).toMatchObject({ code: 'saturated', message: expect.stringMatching(/maxConcurrency = 2/) });

    composer.releaseAll();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect(server!.inFlight()).toBe(0);
    const after = post();
    await composer.waitForPending(1);
    composer.releaseAll();
    expect((await after).statusCode).toBe(200);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('medrl_serve_rejected_total{reason="saturated"} 1');
    expect(metrics).toContain('medrl_serve_requests_total{route="/get_reward",method="POST",status="429"} 1');
  });

  it('abandons scoring after requestTimeout with 503 and aborts the components', async () => {
    const composer = blockingComposer();
    const app = start({ composer, options: { requestTimeout: 50 } }).app;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: { items: [{ prompt: 'p', completion: 'c' }] },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({
      code: 'timeout',
      message: 'scoring took longer than serve.requestTimeout (50 ms)',
    });
    expect(composer.signals[0]!.aborted).toBe(true);
    expect(server!.inFlight()).toBe(0);
    composer.releaseAll();
  });

  it('answers 500 naming the failure when the composer throws, and keeps serving', async () => {
    const logs: string[] = [];
    const sink = (m: string) => logs.push(m);
    let fail = true;
    const composer = {
      async score(rollouts: readonly unknown[]) {
        if (fail) throw new Error('reward component "rules/safety": returned 0 scores for 1 rollouts');
        return fakeComposer().score(rollouts as never);
      },
    };
    const app = start({ composer, logger: { debug: sink, info: sink, warn: sink, error: sink } }).app;
    const res = await app.inject({ method: 'POST', url: '/get_reward', payload: GOOD_BODY });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'internal',
      message: 'scoring failed: reward component "rules/safety": returned 0 scores for 1 rollouts',
    });
    expect(logs.some((l) => l.includes('POST /get_reward failed'))).toBe(true);
    fail = false;
    expect((await app.inject({ method: 'POST', url: '/get_reward', payload: GOOD_BODY })).statusCode).toBe(200);
  });

  it('scrubs registered secrets from error answers', async () => {
    const secret = ['sk', 'judgekey0123456789abcdef'].join('-'); // fake, assembled at run time
    registerSecret(secret);
    const composer = {
      async score(): Promise<never> {
        throw new Error(`judge "deepseek": 401 for key ${secret}`);
      },
    };
    const res = await start({ composer, logger: { debug() {}, info() {}, warn() {}, error() {} } }).app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: { items: [{ prompt: 'p', completion: 'c' }] },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(secret);
    expect(res.json().message).toBe('scoring failed: judge "deepseek": 401 for key ***');
  });

  it('answers 404 listing the routes', async () => {
    const res = await start().app.inject({ method: 'GET', url: '/get_reward' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/POST \/get_reward, POST \/v1\/reward, GET \/healthz, GET \/metrics/);
  });
});

describe('bounded arrays and small error bodies (a body cannot make the answer large or the server fail)', () => {
  const inject = (url: string, payload: string, options = {}) =>
    postJson(url, payload, { options: { bodyLimit: 32 * 1024 * 1024, ...options } });

  it.each([
    ['10^6 numbers in prompts (2 MB)', 1_000_000],
    ['5 * 10^6 numbers in prompts (10 MB)', 5_000_000],
  ])('%s: 400 naming prompts, answer under 16 KB', async (_name, n) => {
    const body = `{"query": ${JSON.stringify([`${PROMPT}ok`])}, "prompts": [${'1,'.repeat(n - 1)}1]}`;
    const res = await inject('/get_reward', body);
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(16 * 1024);
    expect(res.json()).toMatchObject({
      code: 'invalid_body',
      message: 'prompts: Too big: expected array to have <=4096 items',
      issues: [{ path: 'prompts' }],
    });
  });

  it('10^6 items in meta.risk_categories: 400, not 500', async () => {
    const body = JSON.stringify({
      items: [{ prompt: 'p', completion: 'c', meta: { risk_categories: Array(1_000_000).fill('emergency') } }],
    });
    const res = await inject('/v1/reward', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'invalid_body',
      issues: [{ path: 'items.0.meta.risk_categories', message: 'Too big: expected array to have <=64 items' }],
    });
  });

  it('a label with too many risk categories: 400 naming the label', async () => {
    const label = JSON.stringify({ risk_categories: Array(100).fill('x') });
    const res = await inject('/get_reward', JSON.stringify({ query: [`${PROMPT}ok`], labels: [label] }));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('labels.0.risk_categories');
  });

  it('lists at most 20 issues and counts the rest', async () => {
    const res = await inject('/get_reward', JSON.stringify({ query: Array.from({ length: 4000 }, (_, i) => i) }));
    expect(res.statusCode).toBe(400);
    const json = res.json();
    expect(json.issues).toHaveLength(20);
    expect(json.issuesOmitted).toBe(3980);
    expect(res.body.length).toBeLessThan(16 * 1024);
  });

  it('says the path once (no `query.0: query.0:`)', async () => {
    const res = await inject('/get_reward', '{"query": ["no markers here"]}');
    expect(res.json().message).toBe(
      'query.0: no prompts.0 was sent and the query has no "<|im_start|>assistant" marker to split at',
    );
  });
});

describe('invalid UTF-8 gets 400 naming the item, never U+FFFD scored', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it.each([
    ['/get_reward', bytes('{"query": ["fine", "bad ', [0xc3, 0x28], ' answer"]}'), 'query.1'],
    ['/v1/reward', bytes('{"items": [{"prompt": "p', [0xff], '", "completion": "c"}]}'), 'items.0.prompt'],
    [
      '/v1/reward',
      bytes('{"items": [{"prompt": "p", "completion": "', [0xed, 0xa0, 0x80], '"}]}'),
      'items.0.completion',
    ],
  ])('%s -> %s', async (url, payload, path) => {
    const res = await postJson(url, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_utf8', issues: [{ path, message: 'not valid UTF-8' }] });
    expect(res.json().message).toMatch(
      new RegExp(`^${path.replace(/\./g, '\\.')}: not valid UTF-8 \\(first bad byte at offset \\d+`),
    );
  });

  it('accepts valid multi-byte text, including U+FFFD sent on purpose', async () => {
    const res = await postJson(
      '/v1/reward',
      Buffer.from('{"items": [{"prompt": "胸痛", "completion": "请拨打120 \uFFFD 😀"}]}', 'utf8'),
    );
    expect(res.statusCode).toBe(200);
  });
});

describe('an empty token refuses to start', () => {
  it('createServer refuses an empty token', () => {
    expect(() => createServer({ composer: fakeComposer(), token: '' })).toThrow(/bearer token is empty/);
  });

  it('serveRun refuses MEDRL_SERVE_TOKEN="" (a failed $(...)) instead of serving without a token', async () => {
    const { openRun } = await import('../../core/src/runtime/run.js');
    const { serveRun } = await import('../../core/src/serve/serve-run.js');
    const run = await openRun({
      command: 'serve',
      config: {
        plugins: [
          {
            name: 'one',
            apiVersion: '1.0',
            setup: (api) => api.registerReward({ name: 'one', score: async (rs) => rs.map(() => ({ value: 1 })) }),
          },
        ],
        reward: { components: [{ use: 'one', weight: 1 }] },
        serve: { port: 0 },
      },
    });
    const saved = process.env.MEDRL_SERVE_TOKEN;
    process.env.MEDRL_SERVE_TOKEN = '';
    try {
      await expect(serveRun(run, { debug() {}, info() {}, warn() {}, error() {} })).rejects.toThrow(
        'MEDRL_SERVE_TOKEN is set but empty: refusing to start an open server',
      );
    } finally {
      if (saved === undefined) delete process.env.MEDRL_SERVE_TOKEN;
      else process.env.MEDRL_SERVE_TOKEN = saved;
      await run.close();
    }
  });
});
