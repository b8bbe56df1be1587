/**
 * Safetensors throughput and memory: the checkpoint-hf streaming writer and core's reader on a
 * Qwen3-shaped checkpoint with random weights, in F32 and BF16.
 *   npx tsx bench/safetensors.ts [--params-millions 64] [--dir /tmp]
 * The memory column checks the reader's goal: loading costs the fp32 tensors plus a fixed scratch
 * buffer, never a second copy of the file.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSafetensors, writeSafetensorsFile, type SafetensorsDtype } from '../core/engine/src/codec/index.js';

const { values: args } = parseArgs({
  options: { 'params-millions': { type: 'string', default: '64' }, dir: { type: 'string', default: tmpdir() } },
});
const targetParams = Number(args['params-millions']) * 1e6;

// Qwen3-0.6B-like layer shapes (hidden 1024, 16 q heads / 8 kv heads of 128, MLP 3072), as many layers as fit.
const hidden = 1024;
const layerShapes: [string, number[]][] = [
  ['self_attn.q_proj.weight', [2048, hidden]],
  ['self_attn.k_proj.weight', [1024, hidden]],
  ['self_attn.v_proj.weight', [1024, hidden]],
  ['self_attn.o_proj.weight', [hidden, 2048]],
  ['mlp.gate_proj.weight', [3072, hidden]],
  ['mlp.up_proj.weight', [3072, hidden]],
  ['mlp.down_proj.weight', [hidden, 3072]],
  ['input_layernorm.weight', [hidden]],
];
const perLayer = layerShapes.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
const layers = Math.max(1, Math.round(targetParams / perLayer));
const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
let params = 0;
for (let layer = 0; layer < layers; layer++) {
  for (const [name, shape] of layerShapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = Math.random() - 0.5;
    tensors[`model.layers.${layer}.${name}`] = { shape, data };
    params += size;
  }
}

const mb = (bytes: number) => bytes / 2 ** 20;
const dir = await mkdtemp(path.join(args.dir!, 'medrl-bench-st-'));
const rows: string[][] = [];
try {
  for (const dtype of ['F32', 'BF16'] as SafetensorsDtype[]) {
    const file = path.join(dir, `model-${dtype}.safetensors`);
    let start = performance.now();
    await writeSafetensorsFile(file, tensors, { dtype });
    const writeSeconds = (performance.now() - start) / 1000;
    const fileBytes = (await stat(file)).size;

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
    start = performance.now();
    const read = await readSafetensors(file);
    const readSeconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const fp32Bytes = Object.values(read).reduce((sum, t) => sum + t.data.byteLength, 0);
    rows.push([
      dtype,
      mb(fileBytes).toFixed(0),
      (mb(fileBytes) / writeSeconds).toFixed(0),
      (mb(fileBytes) / readSeconds).toFixed(0),
      (params / readSeconds / 1e6).toFixed(0),
      mb(fp32Bytes).toFixed(0),
      mb(peakRss - rssBefore).toFixed(0),
    ]);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(`safetensors bench: ${(params / 1e6).toFixed(1)}M params (${layers} Qwen3-0.6B-shaped layers)`);
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}`,
);
const header = ['dtype', 'file MB', 'write MB/s', 'read MB/s', 'read Mparam/s', 'fp32 MB', 'read RSS +MB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(line(header));
for (const row of rows) console.log(line(row));
