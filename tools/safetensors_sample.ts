/**
 * Writes sample checkpoints with @medrl/plugin-checkpoint-hf for tools/safetensors_crosscheck.py:
 * a tiny Qwen3 `full` checkpoint through the hf-model writer (BF16), the same tensors encoded as F32
 * and F16, a LoRA checkpoint through the peft-adapter writer, and values.json with the fp32 source
 * values (as bit patterns). Usage: npx tsx tools/safetensors_sample.ts <out-dir>
 */
import { createTestContext, type TensorData } from '@medrl/sdk';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHfModelWriter, createPeftAdapterWriter, qwen3TensorShapes } from '../plugins/checkpoint-hf/src/index.js';
import { writeSafetensorsFile } from '../core/engine/src/codec/index.js';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: npx tsx tools/safetensors_sample.ts <out-dir>');

const config = {
  model_type: 'qwen3',
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 4,
  tie_word_embeddings: false,
  rms_norm_eps: 1e-6,
  rope_theta: 1_000_000,
  max_position_embeddings: 128,
  hidden_act: 'silu',
};

// Values spanning rounding cases: normal, tiny (f16 subnormal), large (f16 overflow), ties.
let state = 12345;
function next(): number {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  const u = state / 2 ** 32;
  const scale = [1e-6, 1e-3, 1, 300, 7e4][state % 5]!;
  return (u - 0.5) * 2 * scale;
}
const tensors: Record<string, TensorData> = {};
for (const [name, shape] of qwen3TensorShapes(config)) {
  const size = shape.reduce((a, b) => a * b, 1);
  tensors[name] = { shape, data: Float32Array.from({ length: size }, next) };
}
const special = tensors['model.norm.weight']!.data;
special.set([1 + 2 ** -8, 1 + 3 * 2 ** -8, 65520, 2 ** -25, 3 * 2 ** -25, -0, 3.4028234663852886e38, 1 / 3]);

const r = 4;
const lora: Record<string, TensorData> = {};
for (let layer = 0; layer < 2; layer++) {
  for (const [module, out, inp] of [
    ['self_attn.q_proj', 16, 16],
    ['self_attn.v_proj', 8, 16],
    ['mlp.down_proj', 16, 24],
  ] as const) {
    const key = `base_model.model.model.layers.${layer}.${module}`;
    lora[`${key}.lora_A.weight`] = { shape: [r, inp], data: Float32Array.from({ length: r * inp }, next) };
    lora[`${key}.lora_B.weight`] = { shape: [out, r], data: Float32Array.from({ length: out * r }, next) };
  }
}

const ctx = createTestContext();
const modelDir = path.join(outDir, 'model');
const adapterDir = path.join(outDir, 'adapter');
await mkdir(modelDir, { recursive: true });
await mkdir(adapterDir, { recursive: true });
await createHfModelWriter('BF16').write({ kind: 'full', step: 1, tensors, config }, modelDir, ctx);
await writeSafetensorsFile(path.join(outDir, 'model-f32.safetensors'), tensors, { dtype: 'F32' });
await writeSafetensorsFile(path.join(outDir, 'model-f16.safetensors'), tensors, { dtype: 'F16' });
await createPeftAdapterWriter('F32').write(
  {
    kind: 'lora',
    step: 1,
    tensors: lora,
    config: { lora_alpha: 8, target_modules: ['q_proj', 'v_proj', 'down_proj'] },
  },
  adapterDir,
  ctx,
);
const values = Object.fromEntries(
  // fp32 bit patterns, not numbers: JSON would turn -0 into 0.
  Object.entries({ ...tensors, ...lora }).map(([name, t]) => [
    name,
    { shape: t.shape, bits: Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)) },
  ]),
);
await writeFile(path.join(outDir, 'values.json'), JSON.stringify(values));
console.log(`wrote samples to ${outDir}`);
