// Exact and near-duplicate detection on normalised text, and the MinHash estimate behind it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Deduper,
  dedupeText,
  minhashSignature,
  SIGNATURE_SLOTS,
  signatureSimilarity,
} from '../../../core/cli/src/data/dedupe.js';

const BASE =
  '胃食管反流病的日常管理：睡前3小时不进食，抬高床头，减重，戒烟酒；抑酸药的选择和疗程按消化科医生建议。' +
  '如果出现吞咽困难、体重下降、呕血或黑便，请尽快就医。';

function check(deduper: Deduper, text: string) {
  const key = dedupeText(text);
  const digest = createHash('sha1').update(key).digest();
  return deduper.check(digest.readUInt32BE(0), digest.readUInt32BE(4), key);
}

function shingles(text: string, k: number): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i + k <= text.length; i++) set.add(text.slice(i, i + k));
  return set;
}

describe('dedupeText', () => {
  it('ignores case, whitespace and punctuation', () => {
    expect(dedupeText('Rest, Fluids!  多喝水。')).toBe(dedupeText('rest fluids 多喝水'));
  });

  it('keeps astral characters and handles texts longer than its buffer', () => {
    expect(dedupeText('😀 A, 𠀀b。'.repeat(3000))).toBe('😀a𠀀b'.repeat(3000));
    expect(dedupeText('')).toBe('');
  });
});

describe('Deduper', () => {
  it('finds exact duplicates after normalisation and reports the earlier index', () => {
    const deduper = new Deduper({ near: true, threshold: 0.8, shingleSize: 3 });
    expect(check(deduper, BASE)).toBeNull();
    expect(check(deduper, 'Another record about asthma inhalers and spacers.')).toBeNull();
    expect(check(deduper, `  ${BASE.replace('；', ';')}  `)).toEqual({ kind: 'exact', of: 0, similarity: 1 });
    expect(deduper.size).toBe(2);
    expect(deduper.keyHex(0)).toBe(createHash('sha1').update(dedupeText(BASE)).digest('hex').slice(0, 16));
  });

  it('tells apart keys that share a 30-bit bucket hash only through both halves', () => {
    const deduper = new Deduper({ near: false, threshold: 0.8, shingleSize: 3 });
    for (let i = 0; i < 5000; i++) expect(deduper.check(i, 0xdeadbeef, `t${i}`)).toBeNull();
    expect(deduper.check(1234, 0xdeadbeef, 'x')).toEqual({ kind: 'exact', of: 1234, similarity: 1 });
    expect(deduper.check(1234, 0xdeadbeee, 'x')).toBeNull();
    expect(deduper.compareKeys(1, 2)).toBeLessThan(0);
  });

  it('finds near duplicates (a small edit) but keeps different records', () => {
    const deduper = new Deduper({ near: true, threshold: 0.8, shingleSize: 3 });
    expect(check(deduper, BASE)).toBeNull();
    const edited = '请问，' + BASE.replace('减重', '控制体重');
    expect(check(deduper, edited)).toMatchObject({ kind: 'near', of: 0 });
    const different =
      '偏头痛发作时在安静暗室休息，记录头痛日记寻找诱因；止痛药每月使用不宜超过10到15天，频繁发作请神经内科评估预防治疗。';
    expect(check(deduper, different)).toBeNull();
  });

  it('does not look for near duplicates when disabled', () => {
    const deduper = new Deduper({ near: false, threshold: 0.8, shingleSize: 3 });
    expect(check(deduper, BASE)).toBeNull();
    expect(check(deduper, '请问，' + BASE)).toBeNull();
  });

  it('searches near duplicates in a window of one to two generations, exact ones in every record', () => {
    // Fillers share no 3-shingles with BASE or with each other.
    const filler = (i: number) => Array.from({ length: 40 }, (_, j) => String.fromCharCode(0x4e00 + i * 64 + j)).join('');
    const edited = '请问，' + BASE.replace('减重', '控制体重');
    const run = (fillers: number) => {
      const deduper = new Deduper({ near: true, threshold: 0.8, shingleSize: 3, nearGeneration: 4 });
      expect(check(deduper, BASE)).toBeNull();
      for (let i = 0; i < fillers; i++) expect(check(deduper, filler(i))).toBeNull();
      return { near: check(deduper, edited), exact: check(deduper, BASE) };
    };
    // Record 0 is in the old generation until record 8 starts a third one.
    expect(run(6)).toEqual({ near: { kind: 'near', of: 0, similarity: expect.any(Number) }, exact: { kind: 'exact', of: 0, similarity: 1 } });
    expect(run(7)).toEqual({ near: null, exact: { kind: 'exact', of: 0, similarity: 1 } });
    expect(run(40).near).toBeNull();
  });

  it('rejects a generation size that is not a power of two up to 2^19', () => {
    for (const nearGeneration of [3, 0, 2 ** 20]) {
      expect(() => new Deduper({ near: true, threshold: 0.8, shingleSize: 3, nearGeneration })).toThrow(/power of two/);
    }
  });

  it('respects the threshold', () => {
    const edited = BASE.slice(0, 60) + '这里换成了一些完全不同的内容，用来降低相似度。';
    const loose = new Deduper({ near: true, threshold: 0.3, shingleSize: 3 });
    const strict = new Deduper({ near: true, threshold: 0.95, shingleSize: 3 });
    for (const d of [loose, strict]) check(d, BASE);
    expect(check(loose, edited)?.kind).toBe('near');
    expect(check(strict, edited)).toBeNull();
  });
});

describe('MinHash signature', () => {
  it('estimates Jaccard similarity of 3-shingle sets to within 0.15', () => {
    const a = dedupeText(BASE);
    const cases = [dedupeText('请问' + BASE), a.slice(0, 70) + '完全不同的结尾内容用于测试估计值', a.slice(20)];
    const sa = new Uint32Array(SIGNATURE_SLOTS);
    const sb = new Uint32Array(SIGNATURE_SLOTS);
    minhashSignature(a, 3, sa);
    for (const b of cases) {
      minhashSignature(b, 3, sb);
      const A = shingles(a, 3);
      const B = shingles(b, 3);
      const jaccard = [...A].filter((s) => B.has(s)).length / new Set([...A, ...B]).size;
      expect(Math.abs(signatureSimilarity(sa, sb) - jaccard)).toBeLessThan(0.15);
    }
  });

  it('is 1 for identical text and fills every slot even for short text', () => {
    const sa = new Uint32Array(SIGNATURE_SLOTS);
    const sb = new Uint32Array(SIGNATURE_SLOTS);
    minhashSignature('头痛', 3, sa);
    minhashSignature('头痛', 3, sb);
    expect(signatureSimilarity(sa, sb)).toBe(1);
    expect([...sa].every((v) => v !== 0xffffffff)).toBe(true);
  });
});
