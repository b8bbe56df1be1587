/**
 * Safetensors writing: fp32 tensors in, the Hugging Face safetensors byte layout out (reading is
 * safetensors-read.ts; both are the one codec every medrl reader and writer uses).
 *
 * Layout: u64 little-endian header length N; N bytes of JSON (`__metadata__` first, then one entry
 * per tensor `{dtype, shape, data_offsets}` in name order), padded with spaces so that N is a
 * multiple of 8 and the data section starts aligned; then the tensors' little-endian bytes back to back.
 *
 * `encodeSafetensors` builds one Buffer (tests, small adapters); `writeSafetensorsFile` streams the
 * same bytes to disk chunk by chunk, atomically, so a multi-GB model is never held twice in memory.
 */
import type { TensorData } from '@medrl/sdk';
import { writeFileAtomic } from '@medrl/sdk/io';
import { assertLittleEndianHost, DTYPE_BYTES } from './safetensors-read.js';

/** Dtypes this encoder writes. */
export type SafetensorsDtype = 'F32' | 'BF16' | 'F16';
export const WRITABLE_DTYPES: readonly SafetensorsDtype[] = ['F32', 'BF16', 'F16'];

/** The torch_dtype name Hugging Face configs use for each dtype. */
export const TORCH_DTYPE: Record<SafetensorsDtype, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };

export interface EncodeOptions {
  /** Storage dtype for every tensor; fp32 values are rounded to nearest-even. Default F32. */
  dtype?: SafetensorsDtype;
  /** String key/values stored under `__metadata__` (transformers expects `format: 'pt'`). */
  metadata?: Record<string, string>;
}

interface PlannedTensor {
  name: string;
  tensor: TensorData;
  begin: number;
  end: number;
}

/** The header bytes (length prefix included) and where each tensor's bytes go. */
export interface SafetensorsPlan {
  header: Buffer;
  tensors: PlannedTensor[];
  dtype: SafetensorsDtype;
  /** Total file size in bytes. */
  byteLength: number;
}

/** Validates the tensors and lays out the file. Errors name the offending tensor. */
export function planSafetensors(tensors: Record<string, TensorData>, options: EncodeOptions = {}): SafetensorsPlan {
  const dtype = options.dtype ?? 'F32';
  if (!WRITABLE_DTYPES.includes(dtype)) {
    throw new Error(`safetensors: dtype ${String(dtype)} is not writable; use one of ${WRITABLE_DTYPES.join(', ')}`);
  }
  const elementBytes = DTYPE_BYTES[dtype];
  const json: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length > 0) {
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') throw new Error(`safetensors: __metadata__.${key} must be a string`);
    }
    json.__metadata__ = options.metadata;
  }
  const planned: PlannedTensor[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    const tensor = tensors[name]!;
    if (!(tensor?.data instanceof Float32Array))
      throw new Error(`safetensors: tensor "${name}" data must be a Float32Array`);
    if (!Array.isArray(tensor.shape) || !tensor.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      throw new Error(`safetensors: tensor "${name}" shape ${JSON.stringify(tensor.shape)} is not a list of sizes`);
    }
    const elements = tensor.shape.reduce((acc, dim) => acc * dim, 1);
    if (elements !== tensor.data.length) {
      throw new Error(
        `safetensors: tensor "${name}" has shape ${JSON.stringify(tensor.shape)} (${elements} values) but ${tensor.data.length} values`,
      );
    }
    const end = offset + elements * elementBytes;
    json[name] = { dtype, shape: tensor.shape, data_offsets: [offset, end] };
    planned.push({ name, tensor, begin: offset, end });
    offset = end;
  }
  const jsonBytes = Buffer.from(JSON.stringify(json), 'utf8');
  const headerLength = Math.ceil(jsonBytes.length / 8) * 8;
  const header = Buffer.alloc(8 + headerLength, 0x20); // pad with spaces, as the reference writer does
  header.writeBigUInt64LE(BigInt(headerLength), 0);
  jsonBytes.copy(header, 8);
  return { header, tensors: planned, dtype, byteLength: header.length + offset };
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** fp32 → bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function float32ToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** fp32 → IEEE fp16 bits, round to nearest even, overflow to ±Infinity, gradual underflow. */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Result is subnormal (or zero): shift the full 24-bit significand down to units of 2^-24.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry rolls into the exponent, as it should
  return sign | half;
}

/** Encodes `source[first, first+count)` in `dtype` into `target` (which must hold count * bytes). */
function encodeRange(
  source: Float32Array,
  first: number,
  count: number,
  dtype: SafetensorsDtype,
  target: Buffer,
): void {
  if (dtype === 'F32') {
    Buffer.from(source.buffer, source.byteOffset + first * 4, count * 4).copy(target, 0);
    return;
  }
  const convert = dtype === 'BF16' ? float32ToBfloat16Bits : float32ToFloat16Bits;
  if (target.byteOffset % 2 === 0) {
    // Host is little-endian (checked), so a Uint16Array view writes the file's byte order.
    const halves = new Uint16Array(target.buffer, target.byteOffset, count);
    for (let i = 0; i < count; i++) halves[i] = convert(source[first + i]!);
  } else {
    for (let i = 0; i < count; i++) target.writeUInt16LE(convert(source[first + i]!), i * 2);
  }
}

/** Encodes tensors into one safetensors Buffer. */
export function encodeSafetensors(tensors: Record<string, TensorData>, options: EncodeOptions = {}): Buffer {
  assertLittleEndianHost();
  const plan = planSafetensors(tensors, options);
  const out = Buffer.alloc(plan.byteLength);
  plan.header.copy(out, 0);
  const dataStart = plan.header.length;
  for (const { tensor, begin, end } of plan.tensors) {
    encodeRange(tensor.data, 0, tensor.data.length, plan.dtype, out.subarray(dataStart + begin, dataStart + end));
  }
  return out;
}

/** Elements converted per write when streaming (4 MB of fp32 input per chunk). */
const CHUNK_ELEMENTS = 1 << 20;

/**
 * Streams tensors into `file` as safetensors, atomically (temp file, fsync, rename): readers see
 * either the old file or the complete new one, never a partial write.
 */
export async function writeSafetensorsFile(
  file: string,
  tensors: Record<string, TensorData>,
  options: EncodeOptions = {},
): Promise<void> {
  assertLittleEndianHost();
  const plan = planSafetensors(tensors, options);
  const elementBytes = DTYPE_BYTES[plan.dtype];
  await writeFileAtomic(file, async (write) => {
    await write(plan.header);
    const chunk = Buffer.alloc(plan.dtype === 'F32' ? 0 : CHUNK_ELEMENTS * elementBytes);
    for (const { tensor } of plan.tensors) {
      for (let first = 0; first < tensor.data.length; first += CHUNK_ELEMENTS) {
        const count = Math.min(CHUNK_ELEMENTS, tensor.data.length - first);
        if (plan.dtype === 'F32') {
          // Already in file order: write straight from the tensor's memory.
          await write(Buffer.from(tensor.data.buffer, tensor.data.byteOffset + first * 4, count * 4));
          continue;
        }
        const target = chunk.subarray(0, count * elementBytes);
        encodeRange(tensor.data, first, count, plan.dtype, target);
        await write(target);
      }
    }
  });
}
