// The streaming line splitter: BOM, CRLF, blank lines, chunk boundaries and oversize lines.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBlank, readLineBatches, type RawLine } from '../../core/runtime/src/io/lines.js';
import { tempDir } from '../helpers/tmp.js';

async function readAll(content: string | Buffer, maxBytes = 100): Promise<RawLine[]> {
  const file = path.join(tempDir(), 'in.jsonl');
  writeFileSync(file, content);
  const lines: RawLine[] = [];
  for await (const batch of readLineBatches(file, maxBytes)) lines.push(...batch);
  return lines;
}

const text = (line: RawLine) => line.bytes.toString('utf8');

describe('readLineBatches', () => {
  it('strips a BOM and CR, numbers lines physically, and yields the last line without a newline', async () => {
    const lines = await readAll('\ufeff{"a":1}\r\n\r\n  \n{"b":2}');
    expect(lines.map(text)).toEqual(['{"a":1}', '', '  ', '{"b":2}']);
    expect(lines.map((l) => l.number)).toEqual([1, 2, 3, 4]);
    expect(lines.map((l) => isBlank(l.bytes))).toEqual([false, true, true, false]);
  });

  it('marks a line over the limit as oversize, keeps only its head, and goes on', async () => {
    const long = 'x'.repeat(5_000);
    const lines = await readAll(`ok\n${long}\r\nafter\n`, 100);
    expect(lines.map((l) => [l.number, l.oversize, l.byteLength])).toEqual([
      [1, false, 2],
      [2, true, 5_000],
      [3, false, 5],
    ]);
    expect(lines[1].bytes.length).toBeLessThanOrEqual(240);
    expect(text(lines[2])).toBe('after');
  });

  it('accepts a line of exactly the limit', async () => {
    const lines = await readAll('y'.repeat(100) + '\r\n', 100);
    expect(lines[0]).toMatchObject({ oversize: false, byteLength: 100 });
  });

  it('joins lines across 1 MiB read chunks and spots an oversize line spanning chunks without holding it', async () => {
    const row = JSON.stringify({ question: '头痛'.repeat(20), answer: 'rest' });
    const rows = Array.from({ length: 40_000 }, () => row); // ~3 MB, several chunks
    const huge = 'z'.repeat(3 << 20);
    const lines = await readAll([...rows, huge, 'tail'].join('\n'), 64 * 1024);
    expect(lines.length).toBe(40_002);
    expect(lines.slice(0, 40_000).every((l) => text(l) === row)).toBe(true);
    expect(lines[40_000]).toMatchObject({ oversize: true, byteLength: 3 << 20, number: 40_001 });
    expect(text(lines[40_001])).toBe('tail');
  });
});
