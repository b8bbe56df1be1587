// transpose2d: the wasm kernel that reads the heap in place must equal tf.transpose of tf.slice, for
// whole tensors and row/column ranges, sizes around its 16-row unrolling, int32, and a recorded tape.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../core/src/engine/backend.js';
import { transpose2d, transposeInto, wasmKernelsRegistered, type Range2D } from '../../core/src/engine/wasm-kernels.js';

// wasm's own kernels: always on wasm, whatever backend MEDRL_TEST_BACKEND gives the other tests.
beforeAll(() => initBackend('wasm'));

/** Values that identify their position: x[i][j] = i * 1000 + j. */
function positional(rows: number, cols: number, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor2D {
  const values = Array.from({ length: rows * cols }, (_, k) => Math.floor(k / cols) * 1000 + (k % cols));
  return tf.tensor2d(values, [rows, cols], dtype);
}

// First in this file: nothing before it calls transpose2d, which would register the kernels itself.
it('initBackend registers the wasm kernels', () => {
  expect(wasmKernelsRegistered()).toBe(true);
});

describe('transpose2d on wasm', () => {
  it.each([
    [1, 1, {}],
    [15, 7, {}],
    [16, 3, {}],
    [17, 33, {}],
    [64, 40, {}],
    [50, 32, { rowStart: 7, rowCount: 7 }],
    [50, 32, { rowStart: 49 }],
    [40, 50, { colStart: 21, colCount: 19 }],
    [40, 50, { rowStart: 3, rowCount: 33, colStart: 10, colCount: 5 }],
  ])('[%i, %i] range %j equals tf.transpose(tf.slice)', (rows, cols, range: Range2D) => {
    expect(tf.getBackend()).toBe('wasm');
    const x = positional(rows, cols);
    const r = { rowStart: 0, colStart: 0, ...range };
    const rowCount = range.rowCount ?? rows - r.rowStart;
    const colCount = range.colCount ?? cols - r.colStart;
    const got = transpose2d(x, range);
    expect(got.shape).toEqual([colCount, rowCount]);
    const want = tf.transpose(tf.slice(x, [r.rowStart, r.colStart], [rowCount, colCount]));
    expect(got.arraySync()).toEqual(want.arraySync());
    tf.dispose([x, got, want]);
  });

  it('keeps int32 values and dtype', () => {
    const x = positional(19, 5, 'int32');
    const got = transpose2d(x);
    expect(got.dtype).toBe('int32');
    expect(got.arraySync()).toEqual(tf.transpose(x).arraySync());
    tf.dispose([x, got]);
  });

  it('refuses a range outside the tensor, naming it', () => {
    const x = positional(4, 4);
    expect(() => transpose2d(x, { rowStart: 3, rowCount: 2 })).toThrow(/rows 3\+2.*outside \[4, 4\]/);
    expect(() => transpose2d(x, { colStart: -1 })).toThrow(/outside/);
    x.dispose();
  });

  it('leaks nothing and has a gradient when a tape records it', () => {
    const x = positional(20, 6);
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(transpose2d(input as tf.Tensor2D, { rowStart: 2, rowCount: 17, colStart: 1 }), 2)),
    )(x);
    const expected = Array.from({ length: 20 }, (_, i) =>
      Array.from({ length: 6 }, (_, j) => (i >= 2 && i < 19 && j >= 1 ? 2 : 0)),
    );
    expect(g.arraySync()).toEqual(expected);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('transposeInto', () => {
  it('writes exactly the range, transposed', () => {
    const src = Float32Array.from({ length: 6 * 4 }, (_, k) => k);
    const dst = new Float32Array(3 * 2).fill(-1);
    transposeInto(src, 4, { rowStart: 1, rowCount: 2, colStart: 1, colCount: 3 }, dst);
    // rows 1-2, columns 1-3 of [[0..3],[4..7],[8..11],...] -> [[5, 9], [6, 10], [7, 11]]
    expect([...dst]).toEqual([5, 9, 6, 10, 7, 11]);
  });
});

/** x[begin : begin + size] of a nested array, by plain JS. */
function sliceNested(x: unknown, begin: number[], size: number[]): unknown {
  if (begin.length === 0) return x;
  const rows = (x as unknown[]).slice(begin[0], begin[0]! + size[0]!);
  return rows.map((row) => sliceNested(row, begin.slice(1), size.slice(1)));
}

describe('Slice and SplitV on wasm (heap read in place)', () => {
  it.each([
    [[10], [3], [5]],
    [
      [6, 40],
      [2, 0],
      [3, 40],
    ], // contiguous rows
    [
      [6, 40],
      [1, 5],
      [4, 20],
    ], // runs of 20
    [
      [6, 40],
      [0, 39],
      [6, 1],
    ], // runs of 1
    [
      [3, 4, 5],
      [1, 1, 2],
      [2, 3, 3],
    ],
    [
      [2, 3, 4, 18],
      [1, 0, 2, 1],
      [1, 3, 2, 17],
    ],
    [
      [2, 2, 2, 2, 3],
      [1, 0, 1, 0, 1],
      [1, 2, 1, 2, 2],
    ],
    [
      [4, 4],
      [2, 2],
      [0, 3],
    ], // empty
  ])('slices %j from %j size %j like plain JS', (shape, begin, size) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(
      Array.from({ length: n }, (_, k) => k + 0.5),
      shape,
    );
    const got = tf.slice(x, begin, size);
    expect(got.shape).toEqual(size);
    expect(got.arraySync()).toEqual(sliceNested(x.arraySync(), begin, size));
    tf.dispose([x, got]);
  });

  it('slices int32 and bool, and splits along any axis into equal or given sizes', () => {
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    expect(tf.slice(ints, [1, 1], [2, 1]).arraySync()).toEqual([[4], [6]]);
    const bools = tf.tensor1d([true, false, true, true], 'bool');
    expect(tf.slice(bools, [1], [2]).arraySync()).toEqual([0, 1]);
    const x = tf.tensor3d(
      Array.from({ length: 24 }, (_, k) => k),
      [2, 3, 4],
    );
    const parts = tf.split(x, [1, 3], 2);
    expect(parts.map((p) => p.arraySync())).toEqual([
      sliceNested(x.arraySync(), [0, 0, 0], [2, 3, 1]),
      sliceNested(x.arraySync(), [0, 0, 1], [2, 3, 3]),
    ]);
    const halves = tf.split(x, 2, 0);
    expect(halves[1]!.arraySync()).toEqual(sliceNested(x.arraySync(), [1, 0, 0], [1, 3, 4]));
    tf.dispose([ints, bools, x, ...parts, ...halves]);
  });

  it('never copies the whole input out of the heap', () => {
    const x = tf.ones([64, 64]);
    const readSync = vi.spyOn(tf.backend(), 'readSync');
    const parts = [tf.slice(x, [3, 0], [5, 64]), tf.slice(x, [0, 3], [64, 5]), ...tf.split(x, 4, 1)];
    expect(readSync).not.toHaveBeenCalled();
    readSync.mockRestore();
    tf.dispose([x, ...parts]);
  });

  it('keeps strings on tfjs own kernel', () => {
    const s = tf.tensor1d(['a', 'b', 'c']);
    expect(tf.slice(s, [1], [2]).arraySync()).toEqual(['b', 'c']);
    s.dispose();
  });
});
