// `medrl prepare` and `medrl prepare-rl` run in-process from source, with a config file.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import PrepareRlCommand from '../../core/src/commands/prepare-rl.js';
import PrepareCommand from '../../core/src/commands/prepare.js';
import type { PrepareRlStats, PrepareStats } from '../../core/src/data/index.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const coreRoot = path.join(repoRoot, 'core');

function project(): string {
  const rows = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({
      question: `咨询${i}：持续${i}天的症状${i * 31}，编号${i * 7919}，怎么办？`,
      think: `病例${i}需要了解病程${i * 17}天`,
      answer: `第${i}号：建议观察${i}天并就医，参考${(i * 15485863) % 99991}。`,
    }),
  );
  rows.push('{"question": "我不想活了", "think": "危机", "answer": "请立即拨打心理援助热线12356或120。"}');
  rows.push('not json');
  return writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({ data: { input: 'corpus', processedDir: 'prepared', rl: { out: 'rl/prompts.jsonl', targetSize: 20 } } }),
    'corpus/a.jsonl': rows.join('\n') + '\n',
  });
}

afterEach(() => vi.restoreAllMocks());

describe('medrl prepare / prepare-rl', () => {
  it('read paths from the config (relative to it), report rejections as file:line: reason, and print a summary', async () => {
    const dir = project();
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    // oclif's logToStderr goes through console.error.
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      stderr.push(args.join(' ') + '\n');
    });
    const config = path.join(dir, 'medrl.config.json');
    const stats = (await PrepareCommand.run(['--config', config, '--seed', '3'], coreRoot)) as PrepareStats;
    expect(stats.seed).toBe(3);
    expect(stats.totals).toMatchObject({ lines: 32, kept: 31, rejected: 1 });
    expect(readdirSync(path.join(dir, 'prepared')).sort()).toEqual(
      ['dev', 'duplicates', 'gold_set', 'red_team', 'rejected', 'test', 'train'].map((n) => `${n}.jsonl`).concat('stats.json').sort(),
    );
    const err = stderr.join('');
    expect(err).toContain(`${path.relative(process.cwd(), path.join(dir, 'corpus/a.jsonl'))}:32: invalid_json:`);
    expect(err).toMatch(/total\s+32\s+31\s+0\s+0\s+1/);

    stderr.length = 0;
    const rl = (await PrepareRlCommand.run(['--config', config, '--k', '2'], coreRoot)) as PrepareRlStats;
    expect(rl.out).toBe(path.join(dir, 'rl/prompts.jsonl'));
    expect(rl.total).toBe(20);
    expect(readFileSync(rl.out, 'utf8').trim().split('\n')).toHaveLength(20);
    expect(stderr.join('')).toMatch(/risk level\n\s+critical\s+\d+/);
  });

  it('--strict fails with exit code 1 on the first rejected line', async () => {
    const dir = project();
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const out = path.join(dir, 'strict-out');
    await expect(
      PrepareCommand.run(['--input', path.join(dir, 'corpus'), '--out', out, '--strict'], coreRoot),
    ).rejects.toMatchObject({ oclif: { exit: 1 } });
    expect(readdirSync(out)).toEqual([]);
  });

  it('prepare-rl without prepared data names the fix', async () => {
    const dir = tempDir();
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.join(' '));
    });
    await expect(
      PrepareRlCommand.run(['--processed', path.join(dir, 'none'), '--out', path.join(dir, 'o.jsonl')], coreRoot),
    ).rejects.toMatchObject({ oclif: { exit: 1 } });
    // The first file read depends on the repository's config: red_team only when data.rl.oversampleK > 0.
    expect(errors.join('\n')).toMatch(/(red_team|gold_set)\.jsonl does not exist: run `medrl prepare` first/);
  });
});
