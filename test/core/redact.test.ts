// `medrl config` redaction: by secret key names and secret-looking values, never by substring.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../core/src/config/load.js';
import { isSecretKey, redactConfig } from '../../core/src/config/redact.js';
import { redactText } from '../../core/src/logging.js';

describe('isSecretKey', () => {
  it.each([
    ['apiKey', true],
    ['api_key', true],
    ['apikey', true],
    ['DEEPSEEK_API_KEY', true],
    ['x-api-key', true],
    ['key', true],
    ['secretKey', true],
    ['token', true],
    ['authToken', true],
    ['access_token', true],
    ['password', true],
    ['clientSecret', true],
    ['authorization', true],
    ['credentials', true],
    ['max_new_tokens', false],
    ['maxNewTokens', false],
    ['max_completion_tokens', false],
    ['tokenEnv', false],
    ['tokenizer', false],
    ['tokenizerPath', false],
    ['cacheKey', false],
    ['keyword', false],
    ['monkey', false],
  ])('%s -> %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });
});

describe('redactConfig', () => {
  it('keeps token counts, variable names and flags; hides secrets by name and by shape', () => {
    const config = validateConfig(
      {
        serve: { tokenEnv: 'MY_TOKEN', metricsRequireToken: true },
        ppo: { max_new_tokens: 77 },
        grpo: { max_completion_length: 33 },
        eval: { generation: { maxNewTokens: 55 } },
      },
      'test',
    ) as unknown as Record<string, unknown>;
    // A made-up key, assembled so that secret scanners do not flag the test source.
    const FAKE_KEY = ['sk', '0123456789abcdef0123'].join('-');
    const view = redactConfig({
      ...config,
      plugins: [['x', { apiKey: 'abc', note: `key ${FAKE_KEY}`, header: 'Bearer abcdefghijklmnop1234' }]],
    }) as Record<string, Record<string, unknown>>;
    expect(view.ppo!.max_new_tokens).toBe(77);
    expect((view.eval!.generation as Record<string, unknown>).maxNewTokens).toBe(55);
    expect(view.serve!.tokenEnv).toBe('MY_TOKEN');
    expect(view.serve!.metricsRequireToken).toBe(true);
    expect(view.plugins).toEqual([['x', { apiKey: '***', note: 'key sk-***', header: 'Bearer ***' }]]);
  });

  it('redactText hides bearer tokens, GitHub tokens, AWS keys and JWTs', () => {
    expect(redactText('Authorization: Bearer abcdefghijklmnop1234')).toBe('Authorization: Bearer ***');
    expect(redactText('ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('ghp_***');
    expect(redactText('AKIAABCDEFGHIJKLMNOP')).toBe('AKIA***');
    expect(redactText('eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4')).toBe('eyJ***');
    expect(redactText('max_new_tokens 512 bearer of news')).toBe('max_new_tokens 512 bearer of news');
  });
});
