// The plugin as core sees it: setup registers two writers; each writes its own checkpoint kind,
// with Hugging Face / PEFT names, configs and validation.
import type { Checkpoint, CheckpointWriter, TensorData } from '@medrl/sdk';
import { createTestContext } from '@medrl/sdk';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import checkpointHf, { qwen3TensorShapes } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-writers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writersOf(options?: Parameters<typeof checkpointHf>[0]): Promise<Map<string, CheckpointWriter>> {
  const writers = new Map<string, CheckpointWriter>();
  const plugin = checkpointHf(options);
  await plugin.setup!({
    context: createTestContext(),
    registerReward: () => undefined,
    registerJudge: () => undefined,
    registerCheckpointWriter: (writer) => writers.set(writer.name, writer),
  });
  return writers;
}

/** Parses a safetensors buffer's header (plugins may not import core's reader). */
function headerOf(bytes: Buffer): Record<string, { dtype: string; shape: number[] }> & { __metadata__?: unknown } {
  return JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
}

const tinyConfig = {
  model_type: 'qwen3',
  vocab_size: 10,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 4,
  tie_word_embeddings: false,
  rms_norm_eps: 1e-6,
  rope_theta: 1_000_000,
};

function tensorsFor(config: Record<string, unknown>): Record<string, TensorData> {
  const tensors: Record<string, TensorData> = {};
  for (const [name, shape] of qwen3TensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[name] = { shape, data: new Float32Array(size).fill(0.5) };
  }
  return tensors;
}

describe('plugin', () => {
  it('registers hf-model and peft-adapter', async () => {
    const plugin = checkpointHf();
    expect(plugin.name).toBe('@medrl/plugin-checkpoint-hf');
    expect(plugin.apiVersion).toBe('1.0');
    expect([...(await writersOf()).keys()]).toEqual(['hf-model', 'peft-adapter']);
  });

  it('rejects an unknown dtype option, naming the plugin and the option', () => {
    expect(() => checkpointHf({ dtype: 'F64' as never })).toThrow(
      '@medrl/plugin-checkpoint-hf: option "dtype" must be one of F32, BF16, F16, got "F64"',
    );
    expect(() => checkpointHf({ adapterDtype: 'int8' as never })).toThrow(/option "adapterDtype"/);
  });
});

describe('qwen3TensorShapes', () => {
  it('lists the Hugging Face Qwen3 names with their shapes', () => {
    const shapes = qwen3TensorShapes(tinyConfig);
    expect(shapes.size).toBe(1 + 2 * 11 + 2);
    expect(shapes.get('model.embed_tokens.weight')).toEqual([10, 8]);
    expect(shapes.get('model.layers.1.self_attn.q_proj.weight')).toEqual([8, 8]); // 2 heads x 4
    expect(shapes.get('model.layers.1.self_attn.k_proj.weight')).toEqual([4, 8]); // 1 kv head x 4
    expect(shapes.get('model.layers.1.self_attn.o_proj.weight')).toEqual([8, 8]);
    expect(shapes.get('model.layers.0.self_attn.q_norm.weight')).toEqual([4]);
    expect(shapes.get('model.layers.0.mlp.down_proj.weight')).toEqual([8, 12]);
    expect(shapes.get('lm_head.weight')).toEqual([10, 8]);
    expect(qwen3TensorShapes({ ...tinyConfig, tie_word_embeddings: true }).has('lm_head.weight')).toBe(false);
  });

  it('names a missing config field', () => {
    expect(() => qwen3TensorShapes({ ...tinyConfig, hidden_size: undefined })).toThrow(
      'config.json field "hidden_size" must be a positive integer, got undefined',
    );
  });
});

describe('hf-model writer', () => {
  const full = (tensors: Record<string, TensorData>, config: Record<string, unknown> = tinyConfig): Checkpoint => ({
    kind: 'full',
    step: 7,
    tensors,
    config,
  });

  it('writes model.safetensors and config.json with torch_dtype', async () => {
    const writer = (await writersOf({ dtype: 'BF16' })).get('hf-model')!;
    await writer.write(full(tensorsFor(tinyConfig)), dir, createTestContext());
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
    const header = headerOf(await readFile(path.join(dir, 'model.safetensors')));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header['model.layers.1.mlp.gate_proj.weight']).toMatchObject({ dtype: 'BF16', shape: [12, 8] });
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ ...tinyConfig, architectures: ['Qwen3ForCausalLM'], torch_dtype: 'bfloat16' });
  });

  it('drops lm_head when embeddings are tied, as transformers saves it', async () => {
    const config = { ...tinyConfig, tie_word_embeddings: true };
    const tensors = { ...tensorsFor(config), 'lm_head.weight': { shape: [10, 8], data: new Float32Array(80) } };
    await (await writersOf()).get('hf-model')!.write(full(tensors, config), dir, createTestContext());
    expect(headerOf(await readFile(path.join(dir, 'model.safetensors')))['lm_head.weight']).toBeUndefined();
  });

  it('fails naming a mis-shaped tensor with both shapes, and writes nothing', async () => {
    const tensors = tensorsFor(tinyConfig);
    tensors['model.layers.0.self_attn.k_proj.weight'] = { shape: [8, 8], data: new Float32Array(64) };
    delete tensors['model.norm.weight'];
    tensors['model.layers.0.extra.weight'] = { shape: [1], data: new Float32Array(1) };
    const writer = (await writersOf()).get('hf-model')!;
    const error = await writer.write(full(tensors), dir, createTestContext()).catch((e: Error) => e);
    expect((error as Error).message).toContain(
      'tensor "model.layers.0.self_attn.k_proj.weight" has shape [8,8], config.json implies [4,8]',
    );
    expect((error as Error).message).toContain('missing tensor "model.norm.weight"');
    expect((error as Error).message).toContain('unexpected tensor "model.layers.0.extra.weight"');
    expect(await readdir(dir)).toEqual([]);
  });

  it('ignores lora checkpoints', async () => {
    await (
      await writersOf()
    )
      .get('hf-model')!
      .write({ kind: 'lora', step: 1, tensors: {}, config: {} }, dir, createTestContext());
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('peft-adapter writer', () => {
  const key = (layer: number, module: string, which: 'A' | 'B') =>
    `base_model.model.model.layers.${layer}.${module}.lora_${which}.weight`;
  const lora = (r: number): Record<string, TensorData> => ({
    [key(0, 'self_attn.q_proj', 'A')]: { shape: [r, 8], data: new Float32Array(r * 8).fill(0.25) },
    [key(0, 'self_attn.q_proj', 'B')]: { shape: [8, r], data: new Float32Array(8 * r) },
    [key(0, 'mlp.down_proj', 'A')]: { shape: [r, 12], data: new Float32Array(r * 12).fill(0.25) },
    [key(0, 'mlp.down_proj', 'B')]: { shape: [8, r], data: new Float32Array(8 * r) },
  });

  it('writes adapter_model.safetensors with PEFT keys and a complete adapter_config.json', async () => {
    const writer = (await writersOf()).get('peft-adapter')!;
    const checkpoint: Checkpoint = {
      kind: 'lora',
      step: 3,
      tensors: lora(2),
      config: { lora_alpha: 16, base_model_name_or_path: 'Qwen/Qwen3-0.6B' },
    };
    await writer.write(checkpoint, dir, createTestContext());
    expect((await readdir(dir)).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const header = headerOf(await readFile(path.join(dir, 'adapter_model.safetensors')));
    expect(header[key(0, 'self_attn.q_proj', 'A')]).toMatchObject({ dtype: 'F32', shape: [2, 8] });
    expect(header[key(0, 'mlp.down_proj', 'B')]).toMatchObject({ shape: [8, 2] });
    const config = JSON.parse(await readFile(path.join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 2,
      lora_alpha: 16,
      target_modules: ['down_proj', 'q_proj'],
      base_model_name_or_path: 'Qwen/Qwen3-0.6B',
      bias: 'none',
    });
  });

  it.each<[string, Record<string, TensorData>, Record<string, unknown>, string]>([
    [
      'a non-PEFT key',
      { 'model.layers.0.q_proj.lora_A': { shape: [2, 8], data: new Float32Array(16) } },
      {},
      '"model.layers.0.q_proj.lora_A" is not a PEFT LoRA key',
    ],
    [
      'lora_A without lora_B',
      { [key(0, 'self_attn.v_proj', 'A')]: { shape: [2, 8], data: new Float32Array(16) } },
      {},
      'module "model.layers.0.self_attn.v_proj" has lora_A but no lora_B',
    ],
    ['a rank that disagrees with config.r', lora(2), { r: 4 }, 'lora_A shape [2,8] must be [r=4, in]'],
    ['no tensors', {}, {}, 'no LoRA tensors'],
  ])('rejects %s', async (_label, tensors, config, message) => {
    const writer = (await writersOf()).get('peft-adapter')!;
    await expect(writer.write({ kind: 'lora', step: 1, tensors, config }, dir, createTestContext())).rejects.toThrow(
      message,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('ignores full checkpoints', async () => {
    const writer = (await writersOf()).get('peft-adapter')!;
    await writer.write(
      { kind: 'full', step: 1, tensors: tensorsFor(tinyConfig), config: tinyConfig },
      dir,
      createTestContext(),
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
