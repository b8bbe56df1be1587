// The codec's safetensors reader, fed by its writer (round trips) and by hand-built bytes
// (exact dtype conversions and every header error).
import { createTestContext, type TensorData } from '@medrl/sdk';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  readSafetensors,
  readSafetensorsDir,
  readSafetensorsHeader,
  readSafetensorsIndex,
  encodeSafetensors,
  float32ToBfloat16Bits,
} from '../../core/engine/src/codec/index.js';
import {
  createHfModelWriter,
  createPeftAdapterWriter,
  qwen3TensorShapes,
} from '../../plugins/checkpoint-hf/src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-st-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Builds a safetensors file from a header object and raw data bytes, padding like the spec. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([prefix, padded, data]);
}

function u16le(values: number[]): Uint8Array {
  const out = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => out.writeUInt16LE(value, i * 2));
  return out;
}

function seededValues(count: number, seed: number): Float32Array {
  // Small LCG so the values are arbitrary but reproducible (not round numbers).
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 8;
  }
  return out;
}

describe('readSafetensors round trip with the plugin encoder', () => {
  const tensors = {
    'model.embed_tokens.weight': { shape: [3, 4], data: seededValues(12, 1) },
    'model.norm.weight': { shape: [4], data: seededValues(4, 2) },
    scalar: { shape: [], data: Float32Array.of(-1.5) },
    empty: { shape: [0, 5], data: new Float32Array(0) },
  };

  it('F32 is bit-exact, with shapes and dtype', async () => {
    const file = path.join(dir, 'f32.safetensors');
    await writeFile(file, encodeSafetensors(tensors, { dtype: 'F32', metadata: { format: 'pt' } }));
    const read = await readSafetensors(file);
    expect(Object.keys(read).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(read[name]!.dtype).toBe('F32');
      expect(read[name]!.shape).toEqual(tensor.shape);
      expect(Array.from(read[name]!.data)).toEqual(Array.from(tensor.data));
    }
    expect((await readSafetensorsHeader(file)).metadata).toEqual({ format: 'pt' });
  });

  it('BF16 keeps 8 significant bits: relative error at most 2^-8 (half an ulp), and round-trips bf16 values exactly', async () => {
    const file = path.join(dir, 'bf16.safetensors');
    await writeFile(file, encodeSafetensors(tensors, { dtype: 'BF16' }));
    const read = await readSafetensors(file);
    const original = tensors['model.embed_tokens.weight'].data;
    const restored = read['model.embed_tokens.weight']!.data;
    expect(read['model.embed_tokens.weight']!.dtype).toBe('BF16');
    for (let i = 0; i < original.length; i++) {
      expect(Math.abs(restored[i]! - original[i]!)).toBeLessThanOrEqual(Math.abs(original[i]!) * 2 ** -8);
      // The restored value has a zero low half: it is exactly representable in bf16.
      expect(new Uint32Array(Float32Array.of(restored[i]!).buffer)[0]! & 0xffff).toBe(0);
    }
    // Re-encoding bf16-representable values loses nothing.
    const again = path.join(dir, 'bf16-again.safetensors');
    await writeFile(again, encodeSafetensors({ t: { shape: [original.length], data: restored } }, { dtype: 'BF16' }));
    expect(Array.from((await readSafetensors(again)).t!.data)).toEqual(Array.from(restored));
    expect(Array.from(read.scalar!.data)).toEqual([-1.5]);
  });

  it('F16 round trip stays within half precision (relative error at most 2^-11)', async () => {
    const file = path.join(dir, 'f16.safetensors');
    await writeFile(file, encodeSafetensors(tensors, { dtype: 'F16' }));
    const read = await readSafetensors(file);
    const original = tensors['model.norm.weight'].data;
    read['model.norm.weight']!.data.forEach((value, i) => {
      expect(Math.abs(value - original[i]!)).toBeLessThanOrEqual(Math.abs(original[i]!) * 2 ** -11);
    });
  });

  it('reads only the tensors a filter accepts', async () => {
    const file = path.join(dir, 'f.safetensors');
    await writeFile(file, encodeSafetensors(tensors));
    const read = await readSafetensors(file, { filter: (name) => name.startsWith('model.') });
    expect(Object.keys(read).sort()).toEqual(['model.embed_tokens.weight', 'model.norm.weight']);
  });
});

describe('dtype conversion from hand-built bytes', () => {
  it.each([
    // [bits, value] worked out from the IEEE 754 binary16 definition.
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x8000, -0],
  ])('F16 0x%s → %s', async (bits, value) => {
    const file = path.join(dir, 'h.safetensors');
    await writeFile(file, rawFile({ x: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, u16le([bits])));
    expect((await readSafetensors(file)).x!.data[0]).toBe(value);
  });

  it('F16 NaN stays NaN', async () => {
    const file = path.join(dir, 'nan.safetensors');
    await writeFile(file, rawFile({ x: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, u16le([0x7e00])));
    expect((await readSafetensors(file)).x!.data[0]).toBeNaN();
  });

  it('BF16 bits are the top half of the fp32 bits', async () => {
    const file = path.join(dir, 'b.safetensors');
    // 0x3f80 = 1.0, 0xc0a0 = -5.0, 0x3eaa = 0.33203125, 0x7f80 = +Inf
    const data = u16le([0x3f80, 0xc0a0, 0x3eaa, 0x7f80]);
    await writeFile(file, rawFile({ x: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 8] } }, data));
    const x = (await readSafetensors(file)).x!;
    expect(x.shape).toEqual([2, 2]);
    expect(Array.from(x.data)).toEqual([1, -5, 0.33203125, Infinity]);
  });

  it('a large BF16 tensor converts across scratch-buffer chunks', async () => {
    const count = 5_000_000; // 10 MB of bf16: more than one 8 MB scratch buffer
    const bits = new Uint16Array(count);
    for (let i = 0; i < count; i++) bits[i] = 0x3f80 + (i % 128); // 1 + (i % 128) / 128
    const file = path.join(dir, 'big.safetensors');
    await writeFile(
      file,
      rawFile({ x: { dtype: 'BF16', shape: [count], data_offsets: [0, count * 2] } }, new Uint8Array(bits.buffer)),
    );
    const data = (await readSafetensors(file)).x!.data;
    for (const i of [0, 1, 127, 128, 4_194_303, 4_194_304, 4_194_305, count - 1]) {
      expect(data[i]).toBe(1 + (i % 128) / 128);
    }
  });
});

describe('errors name the file and what is wrong', () => {
  const f32 = (bytes: number) => new Uint8Array(bytes);
  it.each<[string, () => Buffer, RegExp]>([
    ['a file shorter than 8 bytes', () => Buffer.from([1, 2, 3]), /too short for a safetensors header/],
    [
      'a header length past the end',
      () => {
        const b = Buffer.alloc(16);
        b.writeBigUInt64LE(1000n);
        return b;
      },
      /header length 1000 runs past the end of the 16-byte file/,
    ],
    [
      'a header that is not JSON',
      () => {
        const b = Buffer.alloc(16, 0x7b);
        b.writeBigUInt64LE(8n);
        return b;
      },
      /header is not valid JSON/,
    ],
    ['a JSON array header', () => rawFile([1, 2]), /header must be a JSON object/],
    [
      'an unknown dtype',
      () => rawFile({ w: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, f32(4)),
      /tensor "w": unknown dtype F17/,
    ],
    [
      'a negative dimension',
      () => rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(4)),
      /tensor "w": shape must be an array of non-negative integers/,
    ],
    [
      'offsets that disagree with the shape',
      () => rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(4)),
      /tensor "w": data_offsets \[0, 4\] span 4 bytes but F32 \[2\] needs 8/,
    ],
    [
      'offsets past the data',
      () => rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(4)),
      /tensor "w": data_offsets \[0, 8\] run past the 4-byte data section/,
    ],
    [
      'reversed offsets',
      () => rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(4)),
      /end before they begin/,
    ],
    [
      'overlapping tensors',
      () =>
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          f32(8),
        ),
      /tensor "b" overlaps tensor "a"/,
    ],
    [
      'a hole between tensors',
      () =>
        rawFile(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
          },
          f32(12),
        ),
      /4 unaccounted bytes between "a" and "b"/,
    ],
    [
      'trailing bytes',
      () => rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(12)),
      /data section is 12 bytes but the tensors cover 4/,
    ],
    ['non-string metadata', () => rawFile({ __metadata__: { step: 3 } }), /__metadata__\.step must be a string/],
  ])('rejects %s', async (_label, build, message) => {
    const file = path.join(dir, 'bad.safetensors');
    await writeFile(file, build());
    const error = await readSafetensors(file).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects dtypes it cannot convert, naming the tensor, unless filtered out', async () => {
    const file = path.join(dir, 'i64.safetensors');
    await writeFile(
      file,
      rawFile(
        {
          ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
          w: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        f32(12),
      ),
    );
    await expect(readSafetensors(file)).rejects.toThrow(
      `${file}: tensor "ids" has dtype I64; medrl reads only F32, F16, BF16`,
    );
    expect(Object.keys(await readSafetensors(file, { filter: (name) => name === 'w' }))).toEqual(['w']);
  });

  it('names a missing file', async () => {
    const file = path.join(dir, 'nope.safetensors');
    await expect(readSafetensors(file)).rejects.toThrow(`${file}: cannot open (ENOENT)`);
  });
});

describe('model directories', () => {
  const shardA = { 'model.layers.0.w': { shape: [2], data: Float32Array.of(1, 2) } };
  const shardB = { 'model.layers.1.w': { shape: [1, 2], data: Float32Array.of(3, 4) } };
  const index = {
    metadata: { total_size: 16 },
    weight_map: {
      'model.layers.0.w': 'model-00001-of-00002.safetensors',
      'model.layers.1.w': 'model-00002-of-00002.safetensors',
    },
  };

  async function writeSharded(): Promise<void> {
    await writeFile(path.join(dir, 'model-00001-of-00002.safetensors'), encodeSafetensors(shardA));
    await writeFile(path.join(dir, 'model-00002-of-00002.safetensors'), encodeSafetensors(shardB, { dtype: 'BF16' }));
    await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  }

  it('reads a sharded checkpoint through its index', async () => {
    await writeSharded();
    const read = await readSafetensorsIndex(dir);
    expect(Object.keys(read).sort()).toEqual(['model.layers.0.w', 'model.layers.1.w']);
    expect(Array.from(read['model.layers.1.w']!.data)).toEqual([3, 4]);
    expect(read['model.layers.1.w']!.dtype).toBe('BF16');
    expect(read['model.layers.1.w']!.shape).toEqual([1, 2]);
  });

  it('prefers the index, and falls back to model.safetensors', async () => {
    await writeSharded();
    expect(Object.keys(await readSafetensorsDir(dir)).sort()).toEqual(['model.layers.0.w', 'model.layers.1.w']);
    const single = await mkdtemp(path.join(tmpdir(), 'medrl-st-single-'));
    try {
      await writeFile(path.join(single, 'model.safetensors'), encodeSafetensors(shardA));
      expect(Object.keys(await readSafetensorsDir(single))).toEqual(['model.layers.0.w']);
    } finally {
      await rm(single, { recursive: true, force: true });
    }
  });

  it('names the index and shard when a mapped tensor is missing', async () => {
    await writeSharded();
    await writeFile(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { ...index.weight_map, 'model.norm.weight': 'model-00002-of-00002.safetensors' } }),
    );
    await expect(readSafetensorsIndex(dir)).rejects.toThrow(
      /model\.safetensors\.index\.json: tensor "model\.norm\.weight" is mapped to model-00002-of-00002\.safetensors but that shard lacks it/,
    );
  });

  it.each([
    [{ nothing: 1 }, /weight_map must be an object/],
    [{ weight_map: { w: '../../etc/passwd' } }, /must stay inside the model directory/],
    [{ weight_map: { w: 7 } }, /weight_map\["w"\] must be a shard file name/],
  ])('rejects a bad index %j', async (content, message) => {
    await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(content));
    await expect(readSafetensorsIndex(dir)).rejects.toThrow(message);
  });

  it('says what it looked for in an empty directory', async () => {
    await expect(readSafetensorsDir(dir)).rejects.toThrow(
      `${dir}: no model.safetensors.index.json or model.safetensors found`,
    );
  });
});

describe('files written by PyTorch (fixture from tools/safetensors_crosscheck.py)', () => {
  it('decodes torch BF16, F16 and F32 bytes to the values torch decodes', async () => {
    const fixtures = new URL('../fixtures/safetensors/', import.meta.url);
    const expected = JSON.parse(await readFile(new URL('torch-written.json', fixtures), 'utf8')) as {
      tensors: Record<string, { shape: number[]; data: (number | string)[] }>;
    };
    const read = await readSafetensors(new URL('torch-written.safetensors', fixtures).pathname);
    expect(Object.keys(read).sort()).toEqual(['bf16', 'f16', 'f32']);
    for (const [name, { shape, data }] of Object.entries(expected.tensors)) {
      expect(read[name]!.shape).toEqual(shape);
      expect(Array.from(read[name]!.data)).toEqual(data.map((v) => (typeof v === 'string' ? Number(v) : v)));
    }
  });
});

describe('checkpoint writers → core reader', () => {
  const config = {
    model_type: 'qwen3',
    vocab_size: 12,
    hidden_size: 8,
    intermediate_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    head_dim: 4,
    tie_word_embeddings: true,
  };

  it('hf-model in BF16 reads back with every value rounded to nearest-even bf16', async () => {
    const tensors: Record<string, TensorData> = {};
    let seed = 7;
    for (const [name, shape] of qwen3TensorShapes(config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      tensors[name] = { shape, data: seededValues(size, seed++) };
    }
    await createHfModelWriter('BF16').write({ kind: 'full', step: 1, tensors, config }, dir, createTestContext());
    const read = await readSafetensorsDir(dir);
    expect(Object.keys(read).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(read[name]!.shape).toEqual(tensor.shape);
      const expectedBits = Array.from(tensor.data, (v) => float32ToBfloat16Bits(v) << 16);
      expect(Array.from(new Uint32Array(read[name]!.data.buffer))).toEqual(expectedBits.map((b) => b >>> 0));
    }
    expect(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
  });

  it('peft-adapter in F32 reads back exactly under PEFT key names', async () => {
    const key = 'base_model.model.model.layers.0.self_attn.q_proj';
    const tensors = {
      [`${key}.lora_A.weight`]: { shape: [2, 8], data: seededValues(16, 1) },
      [`${key}.lora_B.weight`]: { shape: [8, 2], data: seededValues(16, 2) },
    };
    await createPeftAdapterWriter('F32').write(
      { kind: 'lora', step: 1, tensors, config: {} },
      dir,
      createTestContext(),
    );
    const read = await readSafetensors(path.join(dir, 'adapter_model.safetensors'));
    expect(read[`${key}.lora_A.weight`]!.shape).toEqual([2, 8]);
    expect(Array.from(read[`${key}.lora_B.weight`]!.data)).toEqual(Array.from(tensors[`${key}.lora_B.weight`].data));
  });
});
