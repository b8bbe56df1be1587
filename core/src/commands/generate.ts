import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import { createLogger } from '../logging.js';
import type { GenerationResult } from '../engine/generate.js';
import { generateForPrompts, loadPolicy } from '../engine/policy.js';

export default class Generate extends MedrlCommand {
  static override description =
    'Generate text with a local Qwen3 model (Hugging Face directory), optionally with LoRA adapters.';
  static override examples = [
    '<%= config.bin %> generate --model-path models/Qwen3-0.6B --prompt "What does chest pain radiating to the left arm suggest?"',
    '<%= config.bin %> generate --model-path models/rl/final_rl_model --prompt "发热三天怎么办" --max-new-tokens 128 --seed 7 --json',
    '<%= config.bin %> generate --model-path models/Qwen3-0.6B --adapter-path models/lora/final_lora --prompt "..." --no-think',
  ];
  static override flags = {
    'model-path': Flags.string({
      description: 'Hugging Face model directory (default: model.path from the config)',
      helpValue: '<dir>',
    }),
    'adapter-path': Flags.string({ description: 'PEFT LoRA adapter directory to apply', helpValue: '<dir>' }),
    prompt: Flags.string({
      char: 'p',
      required: true,
      multiple: true,
      description: 'prompt text (repeat for a batch)',
    }),
    'max-new-tokens': Flags.integer({ min: 1, description: 'most tokens to generate (default: engine.generation)' }),
    seed: Flags.integer({ description: 'sampling seed (default: engine.generation.seed)' }),
    temperature: Flags.string({ description: 'sampling temperature, 0 = greedy (default: engine.generation)' }),
    'top-k': Flags.integer({ min: 0, description: 'top-k, 0 = off (default: engine.generation)' }),
    'top-p': Flags.string({ description: 'nucleus mass in (0, 1] (default: engine.generation)' }),
    chat: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'render the prompt as a user turn through the chat template (--no-chat: raw text)',
    }),
    think: Flags.boolean({ allowNo: true, description: 'Qwen3 thinking mode (--no-think adds an empty think block)' }),
    threads: threadsFlag,
  };

  async run(): Promise<{ results: GenerationResult[] }> {
    const { flags } = await this.parse(Generate);
    const run = await this.openRun('generate', engineOverrides(flags));
    const modelPath = flags['model-path'] ?? run.config.model.path;
    if (!modelPath) this.error('no model: pass --model-path <dir> or set model.path in the config', { exit: 2 });
    const defaults = run.config.engine.generation;
    const number = (flag: string, value: string | undefined, fallback: number) => {
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) this.error(`--${flag} must be a number, got "${value}"`, { exit: 2 });
      return parsed;
    };
    const logger = createLogger('generate');
    const policy = await loadPolicy(modelPath, {
      backend: run.config.engine.backend,
      threads: run.config.engine.threads,
      adapterPath: flags['adapter-path'],
      logger,
    });
    try {
      const started = performance.now();
      const results = await generateForPrompts(
        policy,
        flags.prompt,
        { chat: flags.chat, enableThinking: flags.think },
        {
          maxNewTokens: flags['max-new-tokens'] ?? defaults.maxNewTokens,
          seed: flags.seed ?? defaults.seed,
          temperature: number('temperature', flags.temperature, defaults.temperature),
          topK: flags['top-k'] ?? defaults.topK,
          topP: number('top-p', flags['top-p'], defaults.topP),
        },
      );
      const tokens = results.reduce((n, r) => n + r.tokenIds.length, 0);
      const seconds = (performance.now() - started) / 1000;
      logger.info(
        `generated ${tokens} token(s) in ${seconds.toFixed(1)} s (${(tokens / seconds).toFixed(1)} tokens/s)`,
      );
      if (!this.jsonEnabled()) {
        for (const result of results) this.log(result.text);
      }
      return { results };
    } finally {
      policy.lora?.detach();
      policy.model.dispose();
    }
  }
}
