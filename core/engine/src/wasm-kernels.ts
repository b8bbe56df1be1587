/**
 * JavaScript kernels for the wasm backend that read and write the wasm heap in place, registered
 * through tfjs's kernel registry (the extension point tfjs-backend-wasm's own JS kernels use).
 *
 * - `MedrlTranspose2D` (transpose2d): the backward pass of a projection needs W^T as a matmul's
 *   left operand (see layers.ts), and tfjs-wasm's Transpose kernel moves ~9 ns per element
 *   (measured on [3072, 1024]: 29 ms, 2.5x the matmul it feeds). This one writes 16 source rows per
 *   pass (one 64-byte run per output row), ~0.7-2.5 ns per element, and transposes a row or column
 *   range without materializing the slice first.
 * - `Slice` and `SplitV` replace tfjs-wasm's, which first copy the WHOLE input out of the heap
 *   (readSync) for every slice: one row block of Qwen3's 151936 x 1024 embedding cost 720 ms, and a
 *   split into n parts n full copies. Same results, copying only the slice.
 *
 * Other backends keep their own kernels (transpose2d falls back to tf.transpose of tf.slice).
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'MedrlTranspose2D';

/** Rows [rowStart, rowStart + rowCount) and columns [colStart, colStart + colCount) of a 2D tensor. */
export interface Range2D {
  rowStart?: number;
  rowCount?: number;
  colStart?: number;
  colCount?: number;
}

type Resolved = Required<Range2D>;

/** The part of the wasm backend this kernel uses (public members of tfjs-backend-wasm's BackendWasm). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function resolve(shape: number[], range: Range2D): Resolved {
  const [rows, cols] = shape as [number, number];
  const r = {
    rowStart: range.rowStart ?? 0,
    colStart: range.colStart ?? 0,
    rowCount: range.rowCount ?? rows - (range.rowStart ?? 0),
    colCount: range.colCount ?? cols - (range.colStart ?? 0),
  };
  const ok = (start: number, count: number, size: number) =>
    Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count > 0 && start + count <= size;
  if (!ok(r.rowStart, r.rowCount, rows) || !ok(r.colStart, r.colCount, cols)) {
    throw new Error(
      `transpose2d: range rows ${r.rowStart}+${r.rowCount}, columns ${r.colStart}+${r.colCount} is outside [${rows}, ${cols}]`,
    );
  }
  return r;
}

/**
 * dst[j * rowCount + i] = src[(rowStart + i) * cols + colStart + j]. Sixteen rows at a time: reads
 * run along 16 source rows, each output row gets 16 consecutive values (a cache line) per pass.
 */
export function transposeInto(
  src: ArrayLike<number>,
  cols: number,
  range: Resolved,
  dst: { [index: number]: number },
): void {
  const { rowStart, rowCount: r, colStart, colCount: c } = range;
  let i0 = 0;
  for (; i0 + 16 <= r; i0 += 16) {
    const base = (rowStart + i0) * cols + colStart;
    for (let j = 0; j < c; j++) {
      const d = j * r + i0;
      const s = base + j;
      dst[d] = src[s]!;
      dst[d + 1] = src[s + cols]!;
      dst[d + 2] = src[s + 2 * cols]!;
      dst[d + 3] = src[s + 3 * cols]!;
      dst[d + 4] = src[s + 4 * cols]!;
      dst[d + 5] = src[s + 5 * cols]!;
      dst[d + 6] = src[s + 6 * cols]!;
      dst[d + 7] = src[s + 7 * cols]!;
      dst[d + 8] = src[s + 8 * cols]!;
      dst[d + 9] = src[s + 9 * cols]!;
      dst[d + 10] = src[s + 10 * cols]!;
      dst[d + 11] = src[s + 11 * cols]!;
      dst[d + 12] = src[s + 12 * cols]!;
      dst[d + 13] = src[s + 13 * cols]!;
      dst[d + 14] = src[s + 14 * cols]!;
      dst[d + 15] = src[s + 15 * cols]!;
    }
  }
  for (let i = i0; i < r; i++) {
    const base = (rowStart + i) * cols + colStart;
    for (let j = 0; j < c; j++) dst[j * r + i] = src[base + j]!;
  }
}

/**
 * Copies x[begin : begin + size] (any rank) from src into dst, run by run along the last axis.
 */
export function copySlice(
  src: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  begin: number[],
  size: number[],
  dst: Float32Array | Int32Array | Uint8Array,
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const strides = tf.util.computeStrides(shape);
  const run = size[rank - 1]!;
  const outerDims = size.slice(0, rank - 1);
  const runs = outerDims.reduce((a, b) => a * b, 1);
  const index = new Array<number>(rank - 1).fill(0);
  let out = 0;
  for (let r = 0; r < runs; r++) {
    let offset = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    if (run >= 16) dst.set(src.subarray(offset, offset + run), out);
    else for (let k = 0; k < run; k++) dst[out + k] = src[offset + k]!;
    out += run;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < outerDims[d]!) break;
      index[d] = 0;
    }
  }
}

/** Slice without the whole-input copy; strings go to tfjs's own kernel (`original`). */
function sliceInPlace(
  backend: unknown,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
  original: tf.KernelFunc,
): tf.TensorInfo {
  if (x.dtype === 'string') {
    return original({ inputs: { x }, attrs: { begin, size }, backend } as never) as tf.TensorInfo;
  }
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const dst = heap.typedArrayFromHeap(out);
  copySlice(heap.typedArrayFromHeap(x), x.shape, begin, size, dst);
  return out;
}

let registered = false;

/** Whether registerWasmKernels has run (initBackend runs it when it picks wasm). */
export function wasmKernelsRegistered(): boolean {
  return registered;
}

/** Registers the kernels above for the wasm backend (idempotent; the backend package must be loaded). */
export function registerWasmKernels(): void {
  if (registered) return;
  const originalSlice = tf.getKernel('Slice', 'wasm');
  if (!originalSlice) return; // the wasm backend is not loaded
  registered = true;
  const originalSliceFunc = originalSlice.kernelFunc;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const [begin, size] = tf.slice_util.parseSliceParams(
        x as tf.Tensor,
        attrs!.begin as number | number[],
        attrs!.size as number | number[],
      );
      return sliceInPlace(backend, x, begin, size, originalSliceFunc);
    },
  });
  if (tf.getKernel('SplitV', 'wasm')) tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({
    kernelName: 'SplitV',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs!.numOrSizeSplits as number | number[], axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((part) => {
        const size = [...x.shape];
        size[axis] = part;
        const out = sliceInPlace(backend, x, [...begin], size, originalSliceFunc);
        begin[axis] += part;
        return out;
      });
    },
  });
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const range = attrs as unknown as Resolved;
      const heap = backend as unknown as WasmHeapBackend;
      const out = heap.makeOutput([range.colCount, range.rowCount], x.dtype);
      // Views after the allocation: growing the heap detaches views taken before it.
      const dst = heap.typedArrayFromHeap(out);
      transposeInto(heap.typedArrayFromHeap(x), x.shape[1]!, range, dst);
      return out;
    },
  });
  // Only for a tape that records it directly (layers.ts calls it inside custom ops): scatter dy^T
  // back into the range, zeros elsewhere.
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor2D];
      const r = attrs as unknown as Resolved;
      const [rows, cols] = x.shape;
      const back = tf.transpose(dy as tf.Tensor2D);
      return {
        x: () =>
          tf.pad(back, [
            [r.rowStart, rows - r.rowStart - r.rowCount],
            [r.colStart, cols - r.colStart - r.colCount],
          ]),
      };
    },
  });
}

/** x[range]^T: for x [R, C] and the whole range, [C, R]. */
export function transpose2d(x: tf.Tensor2D, range: Range2D = {}): tf.Tensor2D {
  if (x.rank !== 2) throw new Error(`transpose2d: expected a 2D tensor, got shape [${x.shape.join(', ')}]`);
  const r = resolve(x.shape, range);
  // A row or column vector transposes by reshaping (no copy): every decoding step has such rows.
  if ((r.rowCount === 1 || r.colCount === 1) && r.rowCount === x.shape[0] && r.colCount === x.shape[1]) {
    return x.reshape([r.colCount, r.rowCount]);
  }
  if (tf.getBackend() !== 'wasm') {
    const whole = r.rowCount === x.shape[0] && r.colCount === x.shape[1];
    return tf.tidy(() =>
      tf.transpose(whole ? x : x.slice([r.rowStart, r.colStart], [r.rowCount, r.colCount])),
    ) as tf.Tensor2D;
  }
  registerWasmKernels();
  return tf.engine().runKernel(KERNEL, { x }, r as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
