import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { MedrlError, messageOf } from '../errors.js';
import { loadTokenizer, tokenizeText, type TokenizeResult } from '../engine/tokenizer.js';

export default class Tokenize extends MedrlCommand {
  static override description =
    'Show the token ids and token strings of a text (the real Qwen3 tokenizer unless --model-path has its own).';

  static override examples = [
    '<%= config.bin %> tokenize --text "胸痛怎么办？"',
    '<%= config.bin %> tokenize --text "Hello" --chat --json',
    '<%= config.bin %> tokenize --text "胸痛" --chat --no-thinking --model-path models/tiny',
  ];

  static override flags = {
    text: Flags.string({ char: 't', description: 'text to tokenize', required: true }),
    chat: Flags.boolean({
      description: 'render the text as a user message through the chat template, with the generation prompt',
      default: false,
    }),
    thinking: Flags.boolean({
      description: "with --chat: Qwen3's enable_thinking (--no-thinking adds the empty think block)",
      allowNo: true,
    }),
    'model-path': Flags.string({
      description:
        'model directory with tokenizer.json and tokenizer_config.json (default: the built-in Qwen3 tokenizer)',
      helpValue: '<dir>',
    }),
  };

  async run(): Promise<TokenizeResult> {
    const { flags } = await this.parse(Tokenize);
    let result: TokenizeResult;
    try {
      const tokenizer = await loadTokenizer(flags['model-path']);
      result = tokenizeText(tokenizer, flags.text, { chat: flags.chat, enableThinking: flags.thinking });
    } catch (error) {
      throw new MedrlError(messageOf(error), { cause: error });
    }
    if (!this.jsonEnabled()) {
      if (result.text !== undefined) this.log(`text: ${JSON.stringify(result.text)}`);
      this.log(`ids (${result.ids.length}): ${JSON.stringify(result.ids)}`);
      this.log(`tokens: ${JSON.stringify(result.tokens)}`);
    }
    return result;
  }
}
