// The codec's writer: byte layout, fp32 → bf16/fp16 rounding, and @medrl/sdk/io's atomic writes.
// (Round trips through the reader are in test/engine/safetensors.test.ts.)
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '@medrl/sdk/io';
import {
  encodeSafetensors,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  writeSafetensorsFile,
} from '../../core/engine/src/codec/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encodeSafetensors layout', () => {
  const tensors = {
    'b.weight': { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
    'a.bias': { shape: [1], data: Float32Array.of(-0.5) },
  };

  it('writes an 8-byte LE length, a space-padded JSON header aligned to 8, then the data', () => {
    const bytes = encodeSafetensors(tensors, { metadata: { format: 'pt' } });
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
    expect(headerText).toMatch(/^\{"__metadata__":\{"format":"pt"\},/); // metadata first
    const trimmed = headerText.trimEnd();
    expect(headerText.slice(trimmed.length)).toMatch(/^ {0,7}$/); // padding is spaces only
    const header = JSON.parse(headerText);
    expect(Object.keys(header)).toEqual(['__metadata__', 'a.bias', 'b.weight']); // tensors in name order
    expect(header['a.bias']).toEqual({ dtype: 'F32', shape: [1], data_offsets: [0, 4] });
    expect(header['b.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [4, 28] });
    expect(bytes.length).toBe(8 + headerLength + 28);
    const data = bytes.subarray(8 + headerLength);
    expect(data.readFloatLE(0)).toBe(-0.5);
    expect([0, 1, 2, 3, 4, 5].map((i) => data.readFloatLE(4 + i * 4))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('writes BF16 as two little-endian bytes per value', () => {
    const bytes = encodeSafetensors({ x: { shape: [2], data: Float32Array.of(1, -2) } }, { dtype: 'BF16' });
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString()).x).toEqual({
      dtype: 'BF16',
      shape: [2],
      data_offsets: [0, 4],
    });
    expect([...bytes.subarray(8 + headerLength)]).toEqual([0x80, 0x3f, 0x00, 0xc0]);
  });

  it('omits __metadata__ when there is none', () => {
    const bytes = encodeSafetensors({ x: { shape: [1], data: Float32Array.of(0) } });
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
    expect(Object.keys(header)).toEqual(['x']);
  });

  it.each<[string, Record<string, { shape: number[]; data: Float32Array }>, RegExp]>([
    [
      'shape/data mismatch',
      { w: { shape: [2, 2], data: new Float32Array(3) } },
      /tensor "w" has shape \[2,2\] \(4 values\) but 3 values/,
    ],
    [
      'negative dimension',
      { w: { shape: [-1], data: new Float32Array(0) } },
      /tensor "w" shape \[-1\] is not a list of sizes/,
    ],
    [
      'non-Float32Array data',
      { w: { shape: [1], data: [1] as unknown as Float32Array } },
      /tensor "w" data must be a Float32Array/,
    ],
    ['the reserved name', { __metadata__: { shape: [0], data: new Float32Array(0) } }, /"__metadata__" is reserved/],
  ])('rejects %s', (_label, input, message) => {
    expect(() => encodeSafetensors(input)).toThrow(message);
  });

  it('rejects an unknown dtype', () => {
    expect(() => encodeSafetensors({}, { dtype: 'F8' as never })).toThrow(
      /dtype F8 is not writable; use one of F32, BF16, F16/,
    );
  });
});

describe('fp32 → bf16 rounding (round to nearest, ties to even)', () => {
  it.each([
    [1, 0x3f80],
    [-2, 0xc000],
    [1 + 2 ** -8, 0x3f80], // halfway between 0x3f80 and 0x3f81: ties to even (down)
    [1 + 3 * 2 ** -8, 0x3f82], // halfway between 0x3f81 and 0x3f82: ties to even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above halfway: up
    [1 + 2 ** -8 - 2 ** -20, 0x3f80], // just below halfway: down
    [Infinity, 0x7f80],
    [-Infinity, 0xff80],
    [3.4028234663852886e38, 0x7f80], // the largest fp32 rounds up to infinity
    [0, 0x0000],
    [-0, 0x8000],
  ])('%s → 0x%s', (value, bits) => {
    expect(float32ToBfloat16Bits(value)).toBe(bits);
  });

  it('keeps NaN a NaN', () => {
    expect(float32ToBfloat16Bits(NaN) & 0x7f80).toBe(0x7f80);
    expect(float32ToBfloat16Bits(NaN) & 0x007f).not.toBe(0);
  });
});

describe('fp32 → fp16 rounding', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [1 / 3, 0x3555],
    [65504, 0x7bff], // largest finite half
    [65519, 0x7bff], // below the halfway point to 65536
    [65520, 0x7c00], // halfway: ties to even, which is infinity
    [1e6, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // halfway to the smallest subnormal: ties to even (zero)
    [3 * 2 ** -25, 0x0002], // 1.5 subnormal units: ties to even (2)
    [2 ** -25 + 2 ** -35, 0x0001], // just above halfway
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: even
    [1 + 3 * 2 ** -11, 0x3c02],
    [-0, 0x8000],
    [Infinity, 0x7c00],
  ])('%s → 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it('keeps NaN a NaN', () => {
    expect(float32ToFloat16Bits(NaN)).toBe(0x7e00);
  });
});

describe('writeSafetensorsFile', () => {
  it.each(['F32', 'BF16', 'F16'] as const)(
    'streams the same bytes as encodeSafetensors (%s, tensors over one chunk)',
    async (dtype) => {
      const big = new Float32Array((1 << 20) + 3).map((_, i) => Math.sin(i) * 100);
      const tensors = {
        big: { shape: [big.length], data: big },
        small: { shape: [2], data: Float32Array.of(0.1, 0.2) },
      };
      const file = path.join(dir, 'model.safetensors');
      await writeSafetensorsFile(file, tensors, { dtype, metadata: { format: 'pt' } });
      expect((await readFile(file)).equals(encodeSafetensors(tensors, { dtype, metadata: { format: 'pt' } }))).toBe(
        true,
      );
      expect(await readdir(dir)).toEqual(['model.safetensors']); // no temp file left behind
    },
  );

  it('fails before touching the disk when a tensor is invalid', async () => {
    const file = path.join(dir, 'model.safetensors');
    await expect(writeSafetensorsFile(file, { w: { shape: [3], data: new Float32Array(2) } })).rejects.toThrow(/"w"/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it('leaves neither a partial file nor a temp file when the body fails midway', async () => {
    const file = path.join(dir, 'out.bin');
    const failing = writeFileAtomic(file, async (write) => {
      await write(Buffer.alloc(1024, 1));
      throw new Error('disk on fire');
    });
    await expect(failing).rejects.toThrow('disk on fire');
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the previous file intact when a rewrite fails, and replaces it when one succeeds', async () => {
    const file = path.join(dir, 'out.bin');
    await writeFile(file, 'old');
    await expect(
      writeFileAtomic(file, async (write) => {
        await write(Buffer.from('new but incomplete'));
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(await readFile(file, 'utf8')).toBe('old');
    await writeFileAtomic(file, (write) => write(Buffer.from('new')));
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['out.bin']);
  });
});
