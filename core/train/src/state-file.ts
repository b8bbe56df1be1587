/**
 * Trainer state on disk: named fp32 tensors (trainable weights, optimizer moments, value head) in a
 * safetensors file, through the engine's codec, plus plain JSON for the scalars. Safetensors keeps
 * the state inspectable from Python (`safetensors.numpy.load_file`).
 */
import type { TensorData } from '@medrl/sdk';
import { readSafetensors, writeSafetensorsFile } from '@medrl/engine/codec';

export type FloatTensor = TensorData;

export async function writeTensorFile(file: string, tensors: Record<string, FloatTensor>): Promise<void> {
  await writeSafetensorsFile(file, tensors);
}

export async function readTensorFile(file: string): Promise<Record<string, FloatTensor>> {
  const loaded = await readSafetensors(file);
  return Object.fromEntries(Object.entries(loaded).map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
}
