// Backend selection: explicit choices, auto fallback, and install hints for missing native backends.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, measureMatmulPeak } from '../../core/engine/src/backend.js';

function canImport(name: string): Promise<boolean> {
  return import(name).then(
    () => true,
    () => false,
  );
}

describe('initBackend', () => {
  it.each(['wasm', 'cpu'] as const)('activates %s and logs it', async (choice) => {
    const lines: string[] = [];
    const logger = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error() {} };
    const info = await initBackend(choice, logger);
    expect(info.backend).toBe(choice);
    expect(tf.getBackend()).toBe(choice);
    expect(lines).toEqual([`tensorflow.js backend: ${choice}`]);
  });

  it('auto skips native backends that are not installed and lands on a working one', async () => {
    const info = await initBackend('auto');
    const nativeInstalled = await canImport('@tensorflow/tfjs-node');
    if (!nativeInstalled) {
      expect(info.backend).toBe('wasm');
      expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    }
    expect(tf.getBackend()).toBe(info.tfName);
  });

  it('fails on a missing native backend with install instructions', async () => {
    if (await canImport('@tensorflow/tfjs-node')) return;
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /"tensorflow" is not usable.*npm install @tensorflow\/tfjs-node@\^4\.22\.0/,
    );
  });

  it('rejects unknown names', async () => {
    await expect(initBackend('webgpu' as never)).rejects.toThrow(
      /unknown backend "webgpu"; choose one of auto, tensorflow-gpu/,
    );
  });

  it('measures a positive matmul peak', async () => {
    await initBackend('wasm');
    expect(await measureMatmulPeak({ m: 64, k: 64, n: 64 }, 2)).toBeGreaterThan(1e6);
  });
});
