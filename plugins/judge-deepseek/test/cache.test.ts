// The JSONL judgement cache on disk: truncated tails, corruption, concurrent appends.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import { cacheKey, JudgementCache, type CacheLine } from '../src/index.js';

function line(key: string, safety = 5): CacheLine {
  return {
    key,
    model: 'deepseek-chat',
    template_version: 'zh-v1',
    created_at: '2026-01-01T00:00:00.000Z',
    judgement: { scores: { safety, reasoning: 5, completeness: 5, empathy: 5 }, overall: 0.5, critique: 'c' },
  };
}

async function tempFile(content?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medrl-cache-'));
  const file = join(dir, 'nested', 'cache.jsonl');
  if (content !== undefined) {
    await mkdir(join(dir, 'nested'));
    await writeFile(file, content);
  }
  return file;
}

describe('JudgementCache', () => {
  it('keys on model, template version, rubric, question and answer', () => {
    const base = { model: 'm', templateVersion: 'v1', rubric: '', question: 'q', answer: 'a' };
    const key = cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base })).toBe(key);
    for (const change of [
      { model: 'm2' },
      { templateVersion: 'v2' },
      { rubric: 'r' },
      { question: 'q2' },
      { answer: 'a2' },
    ]) {
      expect(cacheKey({ ...base, ...change })).not.toBe(key);
    }
    // Field boundaries matter: moving text from question to answer changes the key.
    expect(cacheKey({ ...base, question: 'qa', answer: '' })).not.toBe(
      cacheKey({ ...base, question: 'q', answer: 'a' }),
    );
  });

  it('loads a file whose last line was cut mid-write, and appends on a fresh line', async () => {
    const file = await tempFile(JSON.stringify(line('k1')) + '\n' + JSON.stringify(line('k2')).slice(0, 30));
    const ctx = createTestContext();
    const cache = new JudgementCache(file, ctx.logger);
    await cache.load();
    expect(cache.size).toBe(1);
    expect(cache.get('k1')?.judgement.scores.safety).toBe(5);
    expect(ctx.logs.map((l) => l.message)).toContain(`cache ${file}:2: ignored a truncated last line`);
    await cache.append(line('k3', 9));
    await cache.close();

    const reloaded = new JudgementCache(file, ctx.logger);
    await reloaded.load();
    expect(reloaded.get('k3')?.judgement.scores.safety).toBe(9);
    expect(reloaded.size).toBe(2);
  });

  it('skips a corrupt line in the middle with its line number', async () => {
    const file = await tempFile([JSON.stringify(line('a')), '{oops', JSON.stringify(line('b')), ''].join('\n'));
    const ctx = createTestContext();
    const cache = new JudgementCache(file, ctx.logger);
    await cache.load();
    expect(cache.size).toBe(2);
    expect(ctx.logs.some((l) => l.message === `cache ${file}:2: skipped (invalid JSON)`)).toBe(true);
  });

  it('never interleaves lines from many concurrent appends', async () => {
    const file = await tempFile();
    const cache = new JudgementCache(file, createTestContext().logger);
    await cache.load();
    const long = 'x'.repeat(20_000); // lines larger than a pipe buffer
    await Promise.all(Array.from({ length: 300 }, (_, i) => cache.append({ ...line(`k${i}`), id: `${i}-${long}` })));
    await cache.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(300);
    const keys = lines.map((l) => (JSON.parse(l) as CacheLine).key);
    expect(new Set(keys).size).toBe(300);
  });

  it('shares one queue per file in a process', () => {
    const logger = createTestContext().logger;
    expect(JudgementCache.for('/tmp/x/a.jsonl', logger)).toBe(JudgementCache.for('/tmp/x/a.jsonl', logger));
    expect(JudgementCache.for('/tmp/x/a.jsonl', logger)).not.toBe(JudgementCache.for('/tmp/x/b.jsonl', logger));
  });
});
