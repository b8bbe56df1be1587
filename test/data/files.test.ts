// Input discovery of `medrl prepare`: symbolic links to files and directories are read, a link
// loop or two links to one place are read once, a broken *.jsonl link is an error.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPrepare } from '../../core/src/data/index.js';
import { findJsonlFiles } from '../../core/src/data/files.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

const record = (i: number) =>
  JSON.stringify({
    question: `第${i}号：头痛${i}天，编号${i * 7919}怎么办？`,
    think: `病例${i}需要了解持续时间${i * 31}。`,
    answer: `建议记录第${i}号症状，必要时就医，参考${i * 104729}。`,
  });

describe('findJsonlFiles', () => {
  it('follows links to files and directories, once each, through loops', async () => {
    const shared = writeTree(tempDir(), { 'b.jsonl': 'x\n', 'deep/c.jsonl': 'x\n', 'deep/notes.txt': '' });
    const input = writeTree(tempDir(), { 'a.jsonl': 'x\n' });
    symlinkSync(path.join(shared, 'b.jsonl'), path.join(input, 'b-link.jsonl'));
    symlinkSync(path.join(shared, 'deep'), path.join(input, 'deep-link'));
    symlinkSync(path.join(shared, 'deep'), path.join(input, 'deep-again')); // same directory twice
    symlinkSync(input, path.join(input, 'loop')); // a loop back to the input
    symlinkSync(path.join(input, 'a.jsonl'), path.join(input, 'z-same-as-a.jsonl')); // same file twice
    symlinkSync(path.join(shared, 'missing.txt'), path.join(input, 'dangling.txt')); // ignored: not *.jsonl
    const files = (await findJsonlFiles(input)).map((f) => path.relative(input, f));
    expect(files).toEqual(['a.jsonl', 'b-link.jsonl', 'deep-again/c.jsonl']);
  });

  it('refuses a broken *.jsonl link, naming it', async () => {
    const input = tempDir();
    symlinkSync(path.join(input, 'gone.jsonl'), path.join(input, 'data.jsonl'));
    await expect(findJsonlFiles(input)).rejects.toThrow(`input ${path.join(input, 'data.jsonl')} is a broken symbolic link`);
  });
});

describe('medrl prepare with only symlinked inputs', () => {
  it('reads them (no "no *.jsonl files")', async () => {
    const shared = writeTree(tempDir(), { 'corpus.jsonl': Array.from({ length: 30 }, (_, i) => record(i)).join('\n') + '\n' });
    const dir = tempDir();
    mkdirSync(path.join(dir, 'raw'));
    symlinkSync(path.join(shared, 'corpus.jsonl'), path.join(dir, 'raw/linked.jsonl'));
    writeFileSync(path.join(dir, 'raw/readme.txt'), '');
    const stats = await runPrepare({ input: path.join(dir, 'raw'), out: path.join(dir, 'out') });
    expect(stats.files.map((f) => [f.file, f.lines])).toEqual([['linked.jsonl', 30]]);
    expect(stats.totals.kept).toBe(30);
  });
});
