/**
 * Reads Hugging Face safetensors checkpoints into Float32Arrays.
 *
 * File layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {..} }`, then
 * the raw little-endian tensor bytes; offsets are relative to the end of the header.
 *
 * Memory: the file is never read whole. Each tensor is read straight into its Float32Array (F32) or
 * through one reusable scratch buffer converted chunk by chunk (BF16, F16), so loading a checkpoint
 * costs the fp32 tensors plus a few megabytes. Writing is safetensors-write.ts.
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { pathExists } from '@medrl/sdk/io';

/** A tensor as the engine consumes it: fp32 data in row-major order, with the dtype it was stored in. */
export interface LoadedTensor {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

/** One entry of a safetensors header, validated. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Byte length of the JSON header (without the 8-byte length prefix). */
  headerLength: number;
  /** Absolute file offset at which tensor data begins (8 + headerLength). */
  dataStart: number;
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

export interface ReadSafetensorsOptions {
  /** Read only the tensors for which this returns true (others are not touched, whatever their dtype). */
  filter?: (name: string) => boolean;
}

/** Dtypes we convert to fp32. */
export const READABLE_DTYPES = ['F32', 'F16', 'BF16'] as const;

/** Bytes per element of every dtype the format defines, so that headers of any dtype validate. */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Headers larger than this are corrupt (the reference implementation uses the same 100 MB cap). */
const MAX_HEADER_BYTES = 100_000_000;
/** Scratch buffer size for converting half-precision data (elements are 2 bytes, keep it even). */
const SCRATCH_BYTES = 8 * 1024 * 1024;

export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
export const SAFETENSORS_SINGLE_FILE = 'model.safetensors';

class SafetensorsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Safetensors data is little-endian and both directions view it through typed arrays, which use host order. */
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: medrl reads and writes only on a little-endian host');
}

function product(shape: readonly number[]): number {
  return shape.reduce((acc, dim) => acc * dim, 1);
}

/** Parses and validates the JSON header of an open safetensors file. */
async function readHeaderFrom(handle: FileHandle, file: string, fileSize: number): Promise<SafetensorsHeader> {
  if (fileSize < 8) throw new SafetensorsError(file, `file is ${fileSize} bytes, too short for a safetensors header`);
  const prefix = Buffer.alloc(8);
  await handle.read(prefix, 0, 8, 0);
  const declared = prefix.readBigUInt64LE(0);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(file, `header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerLength = Number(declared);
  if (8 + headerLength > fileSize) {
    throw new SafetensorsError(file, `header length ${headerLength} runs past the end of the ${fileSize}-byte file`);
  }
  const headerBytes = Buffer.alloc(headerLength);
  await handle.read(headerBytes, 0, headerLength, 8);
  let json: unknown;
  try {
    json = JSON.parse(headerBytes.toString('utf8'));
  } catch (error) {
    throw new SafetensorsError(file, `header is not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SafetensorsError(file, 'header must be a JSON object');
  }

  const dataStart = 8 + headerLength;
  const dataSize = fileSize - dataStart;
  const tensors: Record<string, SafetensorsEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(file, raw);
      continue;
    }
    tensors[name] = parseEntry(file, name, raw, dataSize);
  }
  checkCoverage(file, tensors, dataSize);
  return { headerLength, dataStart, tensors, metadata };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SafetensorsError(file, '__metadata__ must be an object of strings');
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new SafetensorsError(file, `__metadata__.${key} must be a string`);
  }
  return raw as Record<string, string>;
}

function parseEntry(file: string, name: string, raw: unknown, dataSize: number): SafetensorsEntry {
  const fail = (what: string): never => {
    throw new SafetensorsError(file, `tensor "${name}": ${what}`);
  };
  if (raw === null || typeof raw !== 'object') return fail('header entry must be an object');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') return fail('dtype must be a string');
  const elementBytes = DTYPE_BYTES[dtype];
  if (elementBytes === undefined) return fail(`unknown dtype ${dtype}`);
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    return fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)
  ) {
    return fail(`data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) return fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize) return fail(`data_offsets [${begin}, ${end}] run past the ${dataSize}-byte data section`);
  const expectedBytes = product(shape as number[]) * elementBytes;
  if (end - begin !== expectedBytes) {
    return fail(
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${expectedBytes}`,
    );
  }
  return { dtype, shape: shape as number[], dataOffsets: [begin, end] };
}

/** Tensors must tile the data section exactly: no overlap, no holes, nothing trailing. */
function checkCoverage(file: string, tensors: Record<string, SafetensorsEntry>, dataSize: number): void {
  const ordered = Object.entries(tensors).sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0]);
  let cursor = 0;
  let previous = '(start of data)';
  for (const [name, entry] of ordered) {
    const [begin, end] = entry.dataOffsets;
    if (begin < cursor) throw new SafetensorsError(file, `tensor "${name}" overlaps tensor "${previous}"`);
    if (begin > cursor) {
      throw new SafetensorsError(file, `${begin - cursor} unaccounted bytes between "${previous}" and "${name}"`);
    }
    cursor = end;
    previous = name;
  }
  if (cursor !== dataSize) {
    throw new SafetensorsError(file, `data section is ${dataSize} bytes but the tensors cover ${cursor}`);
  }
}

/** Reads and validates only the header of a safetensors file. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await openForRead(file);
  try {
    return await readHeaderFrom(handle, file, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function openForRead(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new SafetensorsError(
      file,
      `cannot open (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** Reads `length` bytes at `position` fully (a single read may return fewer). */
async function readExactly(handle: FileHandle, target: Uint8Array, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(target, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

/** fp16 → fp32 for all 65536 bit patterns, built once on first use (256 KB). */
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0)
      table[bits] = sign * mantissa * 2 ** -24; // zero and subnormals
    else if (exponent === 0x1f) table[bits] = mantissa ? NaN : sign * Infinity;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/** Converts one tensor's bytes to fp32, reading through `scratch` for half-precision dtypes. */
async function readTensorData(
  handle: FileHandle,
  file: string,
  name: string,
  entry: SafetensorsEntry,
  dataStart: number,
  scratch: () => Uint8Array,
): Promise<Float32Array> {
  const elements = product(entry.shape);
  const out = new Float32Array(elements);
  const position = dataStart + entry.dataOffsets[0];
  try {
    if (entry.dtype === 'F32') {
      await readExactly(handle, new Uint8Array(out.buffer), elements * 4, position);
      return out;
    }
    const buffer = scratch();
    const halves = new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 2);
    const outBits = new Uint32Array(out.buffer);
    const table = entry.dtype === 'F16' ? halfToFloatTable() : undefined;
    for (let first = 0; first < elements; first += halves.length) {
      const count = Math.min(halves.length, elements - first);
      await readExactly(handle, buffer, count * 2, position + first * 2);
      if (table) {
        for (let i = 0; i < count; i++) out[first + i] = table[halves[i]];
      } else {
        // bf16 is the top half of an fp32: shifting the bits back is exact.
        for (let i = 0; i < count; i++) outBits[first + i] = halves[i] << 16;
      }
    }
    return out;
  } catch (error) {
    throw new SafetensorsError(file, `tensor "${name}": ${(error as Error).message}`);
  }
}

/**
 * Reads every tensor of a safetensors file (or those `filter` accepts) as fp32.
 * BF16, F16 and F32 are converted; any other dtype fails naming the tensor and its dtype.
 */
export async function readSafetensors(
  file: string,
  options: ReadSafetensorsOptions = {},
): Promise<Record<string, LoadedTensor>> {
  assertLittleEndianHost();
  const handle = await openForRead(file);
  try {
    const header = await readHeaderFrom(handle, file, (await handle.stat()).size);
    const wanted = Object.entries(header.tensors)
      .filter(([name]) => !options.filter || options.filter(name))
      // Read in file order so the disk sees one forward sweep.
      .sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0]);
    for (const [name, entry] of wanted) {
      if (!(READABLE_DTYPES as readonly string[]).includes(entry.dtype)) {
        throw new SafetensorsError(
          file,
          `tensor "${name}" has dtype ${entry.dtype}; medrl reads only ${READABLE_DTYPES.join(', ')}`,
        );
      }
    }
    let scratchBuffer: Uint8Array | undefined;
    const scratch = (): Uint8Array => (scratchBuffer ??= new Uint8Array(SCRATCH_BYTES));
    const result: Record<string, LoadedTensor> = {};
    for (const [name, entry] of wanted) {
      const data = await readTensorData(handle, file, name, entry, header.dataStart, scratch);
      result[name] = { dtype: entry.dtype, shape: [...entry.shape], data };
    }
    return result;
  } finally {
    await handle.close();
  }
}

interface SafetensorsIndex {
  metadata?: Record<string, unknown>;
  weight_map: Record<string, string>;
}

async function readIndexFile(indexFile: string): Promise<SafetensorsIndex> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexFile, 'utf8'));
  } catch (error) {
    throw new SafetensorsError(indexFile, `cannot read index (${(error as Error).message})`);
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new SafetensorsError(indexFile, 'weight_map must be an object mapping tensor names to shard files');
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard.length === 0) {
      throw new SafetensorsError(indexFile, `weight_map["${name}"] must be a shard file name`);
    }
    if (path.isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) {
      throw new SafetensorsError(indexFile, `weight_map["${name}"] = "${shard}" must stay inside the model directory`);
    }
  }
  return json as SafetensorsIndex;
}

/**
 * Reads a sharded checkpoint through `dir/model.safetensors.index.json`: every tensor in its
 * weight_map, from the shard it names. A tensor missing from its shard fails naming both.
 */
export async function readSafetensorsIndex(
  dir: string,
  options: ReadSafetensorsOptions = {},
): Promise<Record<string, LoadedTensor>> {
  const indexFile = path.join(dir, SAFETENSORS_INDEX_FILE);
  const index = await readIndexFile(indexFile);
  const byShard = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(index.weight_map)) {
    if (options.filter && !options.filter(name)) continue;
    if (!byShard.has(shard)) byShard.set(shard, new Set());
    byShard.get(shard)!.add(name);
  }
  const result: Record<string, LoadedTensor> = {};
  for (const [shard, names] of [...byShard].sort(([a], [b]) => a.localeCompare(b))) {
    const shardFile = path.join(dir, shard);
    const tensors = await readSafetensors(shardFile, { filter: (name) => names.has(name) });
    for (const name of names) {
      const tensor = tensors[name];
      if (!tensor)
        throw new SafetensorsError(indexFile, `tensor "${name}" is mapped to ${shard} but that shard lacks it`);
      result[name] = tensor;
    }
  }
  return result;
}

/**
 * Reads the weights of a Hugging Face model directory: the sharded index when present, otherwise
 * the single model.safetensors.
 */
export async function readSafetensorsDir(
  dir: string,
  options: ReadSafetensorsOptions = {},
): Promise<Record<string, LoadedTensor>> {
  if (await pathExists(path.join(dir, SAFETENSORS_INDEX_FILE))) return readSafetensorsIndex(dir, options);
  const single = path.join(dir, SAFETENSORS_SINGLE_FILE);
  if (await pathExists(single)) return readSafetensors(single, options);
  throw new Error(`${dir}: no ${SAFETENSORS_INDEX_FILE} or ${SAFETENSORS_SINGLE_FILE} found`);
}
