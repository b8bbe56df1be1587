import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { modelPathFlag, thinkFlag } from '../cli/flags.js';
import { MedrlError, messageOf } from '../errors.js';
import type { TokenizeResult } from '../engine/tokenizer.js';

export default class Tokenize extends MedrlCommand {
  static override summary = 'Show the token ids and token strings of a text.';
  static override description =
    'Show the token ids and token strings of a text (the real Qwen3 tokenizer unless --model-path has its own).';

  static override examples = [
    '<%= config.bin %> tokenize --text "胸痛怎么办？"',
    '<%= config.bin %> tokenize --text "Hello" --chat --json',
    '<%= config.bin %> tokenize --text "胸痛" --chat --no-think --model-path models/tiny',
  ];

  static override flags = {
    text: Flags.string({ char: 't', description: 'text to tokenize', required: true }),
    chat: Flags.boolean({
      description: 'render the text as a user message through the chat template, with the generation prompt',
      default: false,
    }),
    think: thinkFlag("with --chat: Qwen3's thinking mode, enable_thinking (--no-think adds the empty think block)"),
    'model-path': modelPathFlag(
      'model directory with tokenizer.json and tokenizer_config.json [default: the built-in Qwen3 tokenizer]',
    ),
  };

  async run(): Promise<TokenizeResult> {
    const { flags } = await this.parse(Tokenize);
    const { loadTokenizer, tokenizeText } = await import('../engine/tokenizer.js');
    let result: TokenizeResult;
    try {
      const tokenizer = await loadTokenizer(flags['model-path']);
      result = tokenizeText(tokenizer, flags.text, { chat: flags.chat, enableThinking: flags.think });
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
