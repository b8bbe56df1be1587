/**
 * The embedded default model: a small Qwen3 that medrl trained itself (`npm run model:train`, see
 * its model card), shipped in the package so that `npx medrl train`, `medrl generate` and
 * `medrl eval` have a model that answers on a fresh clone with nothing to download. It is what
 * `model.path` means when the config leaves it unset.
 */
import { fileURLToPath } from 'node:url';

export const EMBEDDED_MODEL_NAME = 'medrl-qwen3-tiny';

/** Directory of the embedded model (config.json, model.safetensors, tokenizer files, README.md). */
export function embeddedModelDir(): string {
  // core/src/engine and core/dist/engine sit at the same depth below core/.
  return fileURLToPath(new URL(`../../assets/${EMBEDDED_MODEL_NAME}`, import.meta.url));
}

/** The base model of a run: `model.path` resolved by the caller, else the embedded model. */
export function baseModelDir(configuredPath: string | undefined): string {
  return configuredPath ?? embeddedModelDir();
}
