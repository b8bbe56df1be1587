/**
 * `@medrl/engine/codec`: the one checkpoint codec of medrl, free of tfjs so that checkpoint writer
 * plugins can use it without loading the engine: safetensors reading (F32/F16/BF16 to fp32, sharded
 * indexes) and writing (F32/BF16/F16, streamed and atomic), and PEFT's LoRA adapter format.
 */
export {
  assertLittleEndianHost,
  readSafetensors,
  readSafetensorsDir,
  readSafetensorsHeader,
  readSafetensorsIndex,
  READABLE_DTYPES,
  SAFETENSORS_INDEX_FILE,
  SAFETENSORS_SINGLE_FILE,
  type LoadedTensor,
  type ReadSafetensorsOptions,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-read.js';
export {
  encodeSafetensors,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  planSafetensors,
  TORCH_DTYPE,
  WRITABLE_DTYPES,
  writeSafetensorsFile,
  type EncodeOptions,
  type SafetensorsDtype,
  type SafetensorsPlan,
} from './safetensors-write.js';
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  checkLoraTensors,
  peftAdapterConfig,
  peftKey,
  readPeftAdapterConfig,
  type LoraLayout,
  type PeftAdapterSettings,
} from './peft.js';
