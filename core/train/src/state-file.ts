/**
 * Trainer state on disk: named fp32 tensors (trainable weights, optimizer moments, value head) in a
 * safetensors file, read back with the engine's reader, plus plain JSON for the scalars. Safetensors
 * keeps the state inspectable from Python (`safetensors.numpy.load_file`).
 */
import { writeFile } from 'node:fs/promises';
import { readSafetensors } from '@medrl/engine';

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

/** The bytes of a safetensors file holding `tensors` as F32 (sorted by name, 8-byte aligned header). */
export function encodeF32Safetensors(
  tensors: Record<string, FloatTensor>,
  metadata: Record<string, string> = {},
): Buffer {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) {
      throw new Error(`tensor "${name}": shape [${t.shape}] needs ${expected} values, has ${t.data.length}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // The format asks for the data section to start 8-byte aligned; pad the header with spaces.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

export async function writeTensorFile(file: string, tensors: Record<string, FloatTensor>): Promise<void> {
  await writeFile(file, encodeF32Safetensors(tensors));
}

export async function readTensorFile(file: string): Promise<Record<string, FloatTensor>> {
  const loaded = await readSafetensors(file);
  return Object.fromEntries(Object.entries(loaded).map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
}
