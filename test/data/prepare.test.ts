// runPrepare end to end on small inputs: outputs, accounting, rejections, determinism, strict mode;
// then on the small sample corpus in data/sample (the full corpus in data/raw: corpus.test.ts).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '@medrl/sdk';
import { DataError, REJECT_REASONS, runPrepare, type Rejection } from '../../core/src/data/index.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const readJsonl = <T = Sample>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);

const OUTPUTS = ['train', 'dev', 'test', 'gold_set', 'red_team', 'rejected', 'duplicates'];

/** Records varied enough not to be near duplicates of each other. */
function goodRecords(n: number): string[] {
  const topics = ['头痛', '咳嗽', '腹泻', '皮疹', '失眠', '腰痛', '血压高', '血糖高', '耳鸣', '眼干'];
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      question: `第${i}号咨询：最近${topics[i % topics.length]}${i}天了，编号${i * 7919}，该怎么办？`,
      think: `病例${i}：需要了解${topics[i % topics.length]}的持续时间（${i}天）、诱因和伴随症状，序号${i * 104729}。`,
      answer: `针对第${i}号咨询的${topics[i % topics.length]}问题，建议记录症状变化${i}天，参考编号${(i * 15485863) % 99991}，必要时就医。`,
    }),
  );
}

const DIRTY_LINES: [string, Rejection['reason'] | 'kept' | 'exact' | 'near'][] = [
  ['{"question": "胸口压榨样疼痛出汗怎么办", "think": "心梗", "answer": "立即拨打120。"}', 'kept'],
  ['{"question":"胸口压榨样疼痛出汗怎么办","think":"心梗","answer":"立即拨打120！"}', 'exact'],
  ['{"broken": ', 'invalid_json'],
  ['[1, 2]', 'not_an_object'],
  ['{"prompt": "p", "completion": "c"}', 'unknown_schema'],
  ['{"question": 1, "answer": "a"}', 'wrong_field_type'],
  ['{"question": "<p> </p>", "answer": "a"}', 'empty_question'],
  ['{"question": "q?", "answer": "&nbsp;"}', 'empty_answer'],
  [`{"question": "big", "answer": "${'x'.repeat(2000)}"}`, 'line_too_long'],
];

describe('runPrepare on a small input', () => {
  function project() {
    const dir = tempDir();
    const nearSource = JSON.parse(goodRecords(1)[0]) as { question: string };
    writeTree(dir, {
      'raw/a_good.jsonl': goodRecords(60).join('\n') + '\n',
      'raw/nested/b_dirty.jsonl':
        '\ufeff' +
        DIRTY_LINES.map(([line]) => line).join('\r\n') +
        '\r\n\r\n   \r\n' +
        JSON.stringify({ ...nearSource, question: nearSource.question + '谢谢' }) +
        '\n',
      'raw/ignored.txt': 'not jsonl',
    });
    writeFileSync(path.join(dir, 'raw/c_utf8.jsonl'), Buffer.from([0x7b, 0x22, 0x71, 0xff, 0x22, 0x7d, 0x0a]));
    return dir;
  }

  it('writes every output, reconciles counts per file and in total, and reports each rejection', async () => {
    const dir = project();
    const rejections: Rejection[] = [];
    const stats = await runPrepare({
      input: path.join(dir, 'raw'),
      out: path.join(dir, 'out'),
      data: { maxLineBytes: 1024, gold: { fraction: 0.2, minQuality: 0 } },
      onReject: (r) => rejections.push(r),
    });
    for (const name of [...OUTPUTS.map((n) => `${n}.jsonl`), 'stats.json']) {
      expect(existsSync(path.join(dir, 'out', name))).toBe(true);
    }
    expect(readdirSync(path.join(dir, 'out')).filter((n) => n.startsWith('.'))).toEqual([]);

    const byFile = Object.fromEntries(stats.files.map((f) => [f.file, f]));
    expect(Object.keys(byFile)).toEqual(['a_good.jsonl', 'c_utf8.jsonl', 'nested/b_dirty.jsonl']);
    expect(byFile['a_good.jsonl']).toMatchObject({ lines: 60, kept: 60, rejected: 0 });
    expect(byFile['c_utf8.jsonl']).toMatchObject({ lines: 1, kept: 0, rejected: 1, rejectedByReason: { invalid_utf8: 1 } });
    expect(byFile['nested/b_dirty.jsonl']).toMatchObject({
      lines: DIRTY_LINES.length + 1, // blank lines are not counted
      kept: 1,
      duplicates: { exact: 1, near: 1 },
      rejected: 7,
    });
    for (const counts of [...stats.files, stats.totals]) {
      expect(counts.kept + counts.duplicates.exact + counts.duplicates.near + counts.rejected).toBe(counts.lines);
    }
    expect(stats.totals).toMatchObject({ lines: 71, kept: 61, rejected: 8 });

    // Every rejection reason once, with file, line (physical, BOM line = 1) and an excerpt.
    const rejected = readJsonl<Rejection>(path.join(dir, 'out/rejected.jsonl'));
    expect(rejected).toEqual(rejections.slice().sort((a, b) => (a.file < b.file ? -1 : 1)));
    expect(new Set(rejected.map((r) => r.reason))).toEqual(new Set(REJECT_REASONS));
    const dirty = rejected.filter((r) => r.file === 'nested/b_dirty.jsonl');
    expect(dirty.map((r) => [r.line, r.reason])).toEqual(
      DIRTY_LINES.map(([, what], i) => [i + 1, what]).filter(([, what]) => !['kept', 'exact', 'near'].includes(String(what))),
    );
    expect(dirty.find((r) => r.reason === 'line_too_long')).toMatchObject({
      detail: expect.stringContaining('over the limit of 1024'),
      excerpt: expect.stringMatching(/^\{"question": "big"/),
    });

    // Splits partition the kept records; gold and red team come from train only.
    const split = Object.fromEntries(['train', 'dev', 'test', 'gold_set', 'red_team'].map((n) => [n, readJsonl(path.join(dir, 'out', `${n}.jsonl`))]));
    const ids = (name: string) => new Set(split[name].map((s: Sample) => s.id));
    expect(ids('train').size + ids('dev').size + ids('test').size).toBe(61);
    expect([...ids('test')].some((id) => ids('train').has(id) || ids('dev').has(id))).toBe(false);
    for (const id of [...ids('gold_set'), ...ids('red_team')]) expect(ids('train').has(id)).toBe(true);
    expect(split.red_team.every((s: Sample) => s.meta.risk_level === 'high' || s.meta.risk_level === 'critical')).toBe(true);
    expect(split.train.filter((s: Sample) => ['high', 'critical'].includes(s.meta.risk_level!)).length).toBe(split.red_team.length);
    expect(split.gold_set.length).toBe(Math.round(0.2 * split.train.length));
    expect(stats.splits).toEqual({
      train: split.train.length,
      dev: split.dev.length,
      test: split.test.length,
      gold_set: split.gold_set.length,
      red_team: split.red_team.length,
    });

    // The kept dirty record is cleaned and classified.
    const chestPain = [...split.train, ...split.dev, ...split.test].find((s: Sample) => s.instruction.startsWith('胸口'))!;
    expect(chestPain).toMatchObject({
      output: '<think>\n心梗\n</think>\n\n立即拨打120。',
      meta: { source: 'nested/b_dirty.jsonl:1', format: 'r1', risk_level: 'critical', risk_categories: ['emergency'], lang: 'zh' },
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'out/stats.json'), 'utf8'))).toMatchObject({
      totals: stats.totals,
      splits: stats.splits,
    });
  });

  it('gives byte-identical outputs for the same input and seed, and a different split for another seed', async () => {
    const dir = project();
    const run = (out: string, seed: number) => runPrepare({ input: path.join(dir, 'raw'), out: path.join(dir, out), seed, data: { maxLineBytes: 1024 } });
    await run('one', 42);
    await run('two', 42);
    await run('three', 9);
    for (const name of [...OUTPUTS.map((n) => `${n}.jsonl`), 'stats.json']) {
      expect(readFileSync(path.join(dir, 'two', name))).toEqual(readFileSync(path.join(dir, 'one', name)));
    }
    expect(readFileSync(path.join(dir, 'three/train.jsonl'))).not.toEqual(readFileSync(path.join(dir, 'one/train.jsonl')));
  });

  it('stops at the first rejection with --strict, naming file and line, and leaves no output', async () => {
    const dir = project();
    const out = path.join(dir, 'out');
    await expect(runPrepare({ input: path.join(dir, 'raw'), out, strict: true })).rejects.toThrow(
      new DataError('c_utf8.jsonl:1: invalid_utf8: line is not valid UTF-8 (--strict)'),
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('de-identifies the excerpt and the detail of a rejected line', async () => {
    const dir = writeTree(tempDir(), { 'raw/a.jsonl': '13812345678 call me, zhang@example.com\n' });
    const rejections: Rejection[] = [];
    await runPrepare({ input: path.join(dir, 'raw'), out: path.join(dir, 'out'), onReject: (r) => rejections.push(r) });
    expect(rejections).toHaveLength(1);
    expect(rejections[0].reason).toBe('invalid_json');
    expect(JSON.stringify(rejections[0])).not.toMatch(/13812345678|zhang@example/);
    expect(rejections[0].excerpt).toBe('[PHONE] call me, [EMAIL]');
  });

  it('does not read its own outputs when --out is inside --input', async () => {
    const dir = writeTree(tempDir(), { 'raw/a.jsonl': goodRecords(12).join('\n') });
    const options = { input: path.join(dir, 'raw'), out: path.join(dir, 'raw/processed') };
    const first = await runPrepare(options);
    const second = await runPrepare(options);
    expect(second.files.map((f) => f.file)).toEqual(['a.jsonl']);
    expect(second.totals).toEqual(first.totals);
  });

  it('names a missing input and a bad config value', async () => {
    const dir = tempDir();
    await expect(runPrepare({ input: path.join(dir, 'nope'), out: path.join(dir, 'o') })).rejects.toThrow(/does not exist/);
    await expect(runPrepare({ input: dir, data: { split: { train: 0.9, dev: 0.2, test: 0.1 } } })).rejects.toThrow(
      /data\.split: split ratios train \+ dev \+ test must add up to 1/,
    );
    writeTree(dir, { 'empty/x.txt': '' });
    await expect(runPrepare({ input: path.join(dir, 'empty'), out: path.join(dir, 'o') })).rejects.toThrow(/no \*\.jsonl files/);
  });
});

describe('runPrepare on the sample corpus (data/sample)', () => {
  const sample = path.join(repoRoot, 'data/sample');

  it.each([
    { fraction: 0.3, maxSize: 1000, minQuality: 0 },
    { fraction: 0.3, maxSize: 40, minQuality: 0.5 },
    { fraction: 1, maxSize: 100000, minQuality: 0.8 },
  ])('picks as gold the best train records by quality, ties by id (%o)', async (gold) => {
    const out = tempDir();
    await runPrepare({ input: sample, out, data: { gold } });
    const train = readJsonl(path.join(out, 'train.jsonl'));
    const quality = (s: Sample) => s.meta.quality as number;
    const expected = train
      .filter((s) => quality(s) >= gold.minQuality)
      .sort((a, b) => quality(b) - quality(a) || (a.id < b.id ? -1 : 1))
      .slice(0, Math.min(gold.maxSize, Math.round(gold.fraction * train.length)))
      .map((s) => s.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(readJsonl(path.join(out, 'gold_set.jsonl')).map((s) => s.id).sort()).toEqual(expected.sort());
  });

  it('handles the dirt and keeps the mix: languages, specialties, high-risk share, formats', async () => {
    const out = tempDir();
    const stats = await runPrepare({ input: sample, out });
    const d = stats.distribution;
    expect(stats.totals.kept).toBeGreaterThanOrEqual(350);
    expect(d.lang.en / stats.totals.kept).toBeGreaterThanOrEqual(0.15);
    expect(Object.keys(d.specialty).filter((s) => s !== 'general').length).toBeGreaterThanOrEqual(12);
    expect((d.risk_level.high + d.risk_level.critical) / stats.totals.kept).toBeGreaterThanOrEqual(0.3);
    expect(Object.keys(d.format).sort()).toEqual(['alpaca', 'chat', 'r1']);
    const dirty = stats.files.find((f) => f.file === 'web_scrape_dirty.jsonl')!;
    expect(dirty.duplicates.exact).toBeGreaterThan(0);
    expect(dirty.duplicates.near).toBeGreaterThan(0);
    expect(Object.keys(dirty.rejectedByReason).sort()).toEqual([...REJECT_REASONS].sort());
    // The clean files hold no duplicates and no rejects: the corpus is varied, not templated copies.
    for (const f of stats.files.filter((f) => f.file.startsWith('medical_'))) {
      expect(f).toMatchObject({ rejected: 0, duplicates: { exact: 0, near: 0 } });
    }
    expect(stats.deidentified.replacements).toMatchObject({ email: 2, id_card: 1, medical_record: 1 });
    const all = ['train', 'dev', 'test'].flatMap((n) => readJsonl(path.join(out, `${n}.jsonl`)));
    const text = all.map((s) => s.instruction + s.input + s.output).join('\n');
    expect(text).not.toMatch(/1381234567|110105198803154321|@example\.(com|org)|<p>|&nbsp;|<script/);
    expect(all.every((s) => /^<think>\n[\s\S]*\n<\/think>\n\n\S/.test(s.output))).toBe(true);
  });

  it('is the first records of data/raw, with the same dirty file', () => {
    for (const name of ['medical_r1.jsonl', 'medical_alpaca.jsonl', 'medical_chat.jsonl']) {
      const head = readFileSync(path.join(sample, name), 'utf8');
      expect(readFileSync(path.join(repoRoot, 'data/raw', name), 'utf8').startsWith(head)).toBe(true);
    }
    expect(readFileSync(path.join(sample, 'web_scrape_dirty.jsonl'))).toEqual(readFileSync(path.join(repoRoot, 'data/raw/web_scrape_dirty.jsonl')));
  });
});
