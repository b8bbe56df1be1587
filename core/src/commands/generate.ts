import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { modelPathFlag, thinkFlag } from '../cli/flags.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import type { GenerationResult } from '../engine/generate.js';

export default class Generate extends MedrlCommand {
  static override summary = 'Generate text with a local Qwen3 model, optionally with LoRA adapters.';
  static override description =
    'Generate text with a local Qwen3 model (Hugging Face directory), optionally with LoRA adapters.';
  static override examples = [
    '<%= config.bin %> generate --model-path models/Qwen3-0.6B --prompt "What does chest pain radiating to the left arm suggest?"',
    '<%= config.bin %> generate --model-path models/rl/final_rl_model --prompt "发热三天怎么办" --max-new-tokens 128 --seed 7 --json',
    '<%= config.bin %> generate --model-path models/Qwen3-0.6B --adapter-path models/lora/final_lora --prompt "..." --no-think',
  ];
  static override flags = {
    'model-path': modelPathFlag('Hugging Face model directory [default: model.path; unset: the embedded model]'),
    'adapter-path': Flags.string({ description: 'PEFT LoRA adapter directory to apply', helpValue: '<dir>' }),
    prompt: Flags.string({
      char: 'p',
      required: true,
      multiple: true,
      description: 'prompt text (repeat for a batch)',
    }),
    'max-new-tokens': Flags.integer({
      min: 1,
      description: 'most tokens to generate [default: engine.generation.maxNewTokens, 256]',
    }),
    seed: Flags.integer({ description: 'sampling seed [default: engine.generation.seed, 0]' }),
    temperature: Flags.string({
      description: 'sampling temperature, 0 = greedy [default: engine.generation.temperature, 0.6]',
    }),
    'top-k': Flags.integer({ min: 0, description: 'top-k, 0 = off [default: engine.generation.topK, 20]' }),
    'top-p': Flags.string({ description: 'nucleus mass in (0, 1] [default: engine.generation.topP, 0.95]' }),
    chat: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'render the prompt as a user turn through the chat template (--no-chat: raw text)',
    }),
    think: thinkFlag("Qwen3's thinking mode, enable_thinking (--no-think adds the empty think block)"),
    threads: threadsFlag,
  };

  async run(): Promise<{ results: GenerationResult[] }> {
    const { flags } = await this.parse(Generate);
    const [{ createLogger }, { generateForPrompts, loadPolicy }, { baseModelDir }] = await Promise.all([
      import('../logging.js'),
      import('../engine/policy.js'),
      import('../engine/embedded.js'),
    ]);
    const run = await this.openRun('generate', engineOverrides(flags));
    const configured = run.config.model.path;
    const modelPath = flags['model-path'] ?? baseModelDir(configured && path.resolve(run.rootDir, configured));
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
