// Per-line errors of prepare, reward and judge: control characters escaped, the first 20 printed,
/* eslint-disable no-control-regex -- these tests look for control characters in output */
// the rest summarised; `medrl reward` has a line cap; the logger and CLI errors escape too.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import PrepareCommand from '../../core/src/commands/prepare.js';
import RewardCommand from '../../core/src/commands/reward.js';
import { LineErrorReporter } from '../../core/src/cli/line-errors.js';
import { createLogger } from '../../core/src/logging.js';
import { scoreFile } from '../../core/src/reward/score-file.js';
import type { RewardComposer } from '../../core/src/reward/composer.js';
import { escapeControl } from '../../core/src/text.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const coreRoot = path.join(repoRoot, 'core');
const ESC = '\u001b';

afterEach(() => vi.restoreAllMocks());

/** Everything the command writes to stderr (process.stderr.write and oclif's console.error). */
function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(...args.join(' ').split('\n').filter(Boolean));
  });
  vi.spyOn(console, 'log').mockImplementation(() => {});
  return lines;
}

describe('escapeControl', () => {
  it.each([
    [`red ${ESC}[31mtext${ESC}[0m`, 'red \\x1b[31mtext\\x1b[0m'],
    [`title ${ESC}]0;pwned\u0007`, 'title \\x1b]0;pwned\\x07'],
    ['over\rwrite\b', 'over\\x0dwrite\\x08'],
    ['c1 \u009b31m', 'c1 \\x9b31m'],
    ['bidi \u202eevil', 'bidi \\u202eevil'],
    ['tab\tand 中文 stay', 'tab\tand 中文 stay'],
  ])('%j', (input, expected) => {
    expect(escapeControl(input)).toBe(expected);
  });

  it('keeps line feeds unless told', () => {
    expect(escapeControl('a\nb')).toBe('a\nb');
    expect(escapeControl('a\nb', { newlines: false })).toBe('a\\x0ab');
  });

  it('the logger escapes messages and fields', () => {
    const out: string[] = [];
    createLogger('t', (l) => out.push(l)).warn(`bad ${ESC}[2J`, { value: `\u009b` });
    expect(out.join('')).not.toMatch(/[\u001b\u009b]/);
    expect(out.join('')).toContain('bad \\x1b[2J');
  });
});

describe('LineErrorReporter', () => {
  it('prints 20, then one summary by kind', () => {
    const out: string[] = [];
    const reporter = new LineErrorReporter((l) => out.push(l));
    for (let i = 1; i <= 25; i++)
      reporter.report(`f:${i}`, `broken ${ESC}[1m`, i % 2 ? 'invalid_json' : 'invalid_utf8');
    reporter.finish('all in rejected.jsonl');
    expect(out).toHaveLength(21);
    expect(out[0]).toBe('f:1: broken \\x1b[1m');
    expect(out[20]).toBe(
      '... and 5 more line error(s) not shown (invalid_json 3, invalid_utf8 2), 25 in all; all in rejected.jsonl',
    );
  });
});

describe('medrl prepare on a binary file', () => {
  it('prints at most 20 rejections and a summary, escaped, with no doubled prefix', async () => {
    const dir = writeTree(tempDir(), { 'medrl.config.json': '{}' });
    // 1 MiB of random bytes: thousands of "lines", none of them JSON or UTF-8.
    writeTree(dir, { 'raw/.keep': '' });
    writeFileSync(path.join(dir, 'raw/blob.jsonl'), randomBytes(1024 * 1024));
    writeFileSync(
      path.join(dir, 'raw/good.jsonl'),
      JSON.stringify({ question: '头痛怎么办？', think: '先问病程', answer: '建议就医。' }) + '\n',
    );
    const stderr = captureStderr();
    await PrepareCommand.run(
      [
        '--config',
        path.join(dir, 'medrl.config.json'),
        '--input',
        path.join(dir, 'raw'),
        '--out',
        path.join(dir, 'out'),
      ],
      coreRoot,
    );
    const rejections = stderr.filter((l) => /blob\.jsonl:\d+: /.test(l));
    expect(rejections).toHaveLength(20);
    const summary = stderr.find((l) => l.startsWith('... and '));
    expect(summary).toMatch(
      /^\.\.\. and \d+ more line error\(s\) not shown \(.*\), \d+ in all; every rejected line is in .*rejected\.jsonl$/,
    );
    expect(stderr.length).toBeLessThan(60);
    expect(stderr.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  }, 60_000);
});

describe('medrl reward', () => {
  function project(lines: string[]) {
    const dir = writeTree(tempDir(), {
      'medrl.config.json': JSON.stringify({
        plugins: ['./one.mjs'],
        reward: { components: [{ use: 'one', weight: 1 }] },
      }),
      'one.mjs': `export default () => ({ name: 'one', apiVersion: '1.0', setup(api) {
        api.registerReward({ name: 'one', async score(rs) { return rs.map(() => ({ value: 1 })); } });
      } });`,
      'in.jsonl': lines.join('\n') + '\n',
    });
    return dir;
  }

  it('reports a line over --max-line-bytes without reading it, escapes and summarises line errors', async () => {
    const good = JSON.stringify({ prompt: 'p', completion: 'c' });
    const long = JSON.stringify({ prompt: 'p', completion: 'x'.repeat(3 * 1024 * 1024) });
    const broken = Array.from({ length: 24 }, (_, i) => `{"id": "${ESC}]0;owned${ESC}\\\\ ${i}`);
    const dir = project([good, long, ...broken, good]);
    const stderr = captureStderr();
    await expect(
      RewardCommand.run(
        ['--config', path.join(dir, 'medrl.config.json'), '--input', path.join(dir, 'in.jsonl')],
        coreRoot,
      ),
    ).rejects.toMatchObject({ oclif: { exit: 1 } });
    const text = stderr.join('\n');
    expect(text).toContain(
      `in.jsonl:2: line is ${Buffer.byteLength(long)} bytes, over the limit of 1048576 (--max-line-bytes)`,
    );
    expect(stderr.filter((l) => /in\.jsonl:\d+: /.test(l))).toHaveLength(20);
    expect(text).toContain('... and 5 more line error(s) not shown, 25 in all');
    expect(text).toContain('scored 2 line(s), 25 failed');
    expect(text).not.toMatch(/[\u001b\u0007]/);
  }, 60_000);

  it('scoreFile never assembles an oversize line', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.jsonl');
    writeFileSync(file, `${JSON.stringify({ prompt: 'p', completion: 'y'.repeat(8 * 1024 * 1024) })}\n`);
    const failed: { line: number; message: string }[] = [];
    const composer = { score: async () => [] } as unknown as RewardComposer;
    const result = await scoreFile({
      input: file,
      composer,
      write: () => {},
      onError: (e) => failed.push(e),
      maxLineBytes: 4096,
    });
    expect(result.scored).toBe(0);
    expect(failed).toEqual([
      { line: 1, message: expect.stringMatching(/^line is 8388\d+ bytes, over the limit of 4096/) },
    ]);
  });
});
