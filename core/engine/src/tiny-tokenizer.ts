/**
 * The tokenizer of the embedded tiny model: a character vocabulary built from the training texts,
 * with byte fallback and Qwen3's control tokens, serialized as an ordinary Hugging Face
 * tokenizer.json (BPE model, no merges, `byte_fallback: true`) that the same loader reads.
 *
 * Why characters: the tiny model must train in minutes on 2 CPU cores, so its embedding and output
 * layers must be small; Chinese medical text is mostly one character per token in Qwen3 anyway, and
 * byte fallback keeps every string encodable (a character outside the vocabulary becomes its UTF-8 bytes).
 *
 * Id layout (stable across corpora for the control tokens):
 *   0..4      <|endoftext|> <|im_start|> <|im_end|> <think> </think>
 *   5..260    <0x00> .. <0xFF>          byte fallback
 *   261..357  \t \n and printable ASCII  always present, so the chat template and English stay readable
 *   358..     other characters of the texts, most frequent first (ties by code point), up to maxVocab in total
 */
import { qwen3ChatTemplate } from './chat-template.js';
import { QWEN_SPECIAL_TOKENS, saveTokenizerFiles, type TokenizerFiles } from './tokenizer.js';

export interface TinyTokenizerOptions {
  /** Upper bound on the vocabulary size (control + byte + character tokens). Default 4096. */
  maxVocab?: number;
  /** Characters seen fewer times than this are left to byte fallback. Default 1. */
  minFrequency?: number;
}

/** Control tokens in id order; `special` follows Qwen3 (think tags are not special, so decoding keeps them). */
export const TINY_CONTROL_TOKENS: readonly { content: string; special: boolean }[] = [
  { content: QWEN_SPECIAL_TOKENS.endOfText, special: true },
  { content: QWEN_SPECIAL_TOKENS.imStart, special: true },
  { content: QWEN_SPECIAL_TOKENS.imEnd, special: true },
  { content: QWEN_SPECIAL_TOKENS.thinkStart, special: false },
  { content: QWEN_SPECIAL_TOKENS.thinkEnd, special: false },
];

const BYTE_TOKENS = Array.from({ length: 256 }, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);

/** Tab, newline and printable ASCII, by code point. */
const ASCII_CHARACTERS = ['\t', '\n', ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))];

/** The smallest vocabulary: control tokens, bytes and the ASCII block. */
export const TINY_MIN_VOCAB = TINY_CONTROL_TOKENS.length + BYTE_TOKENS.length + ASCII_CHARACTERS.length;
export const TINY_DEFAULT_MAX_VOCAB = 4096;

/** Counts characters (code points, after NFC as the tokenizer normalizes) and ranks them. */
export function rankCharacters(texts: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const char of text.normalize('NFC')) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return [...counts].sort(([a, countA], [b, countB]) => countB - countA || a.codePointAt(0)! - b.codePointAt(0)!);
}

/**
 * Builds the tiny tokenizer from texts. Deterministic: the same texts (in any order) give the
 * same files. Returns tokenizer.json and tokenizer_config.json (with Qwen3's chat template).
 */
export function buildTinyTokenizer(texts: Iterable<string>, options: TinyTokenizerOptions = {}): TokenizerFiles {
  const maxVocab = options.maxVocab ?? TINY_DEFAULT_MAX_VOCAB;
  const minFrequency = options.minFrequency ?? 1;
  if (!Number.isInteger(maxVocab) || maxVocab < TINY_MIN_VOCAB) {
    throw new Error(
      `tiny tokenizer: maxVocab must be an integer >= ${TINY_MIN_VOCAB} (control, byte and ASCII tokens), got ${maxVocab}`,
    );
  }
  const reserved = new Set<string>([
    ...TINY_CONTROL_TOKENS.map((token) => token.content),
    ...BYTE_TOKENS,
    ...ASCII_CHARACTERS,
  ]);
  const characters = rankCharacters(texts)
    .filter(([char, count]) => count >= minFrequency && !reserved.has(char))
    .slice(0, maxVocab - TINY_MIN_VOCAB)
    .map(([char]) => char);

  const ordered = [
    ...TINY_CONTROL_TOKENS.map((token) => token.content),
    ...BYTE_TOKENS,
    ...ASCII_CHARACTERS,
    ...characters,
  ];
  const vocab: Record<string, number> = Object.fromEntries(ordered.map((token, id) => [token, id]));
  const addedTokens = TINY_CONTROL_TOKENS.map((token, id) => ({
    id,
    content: token.content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: token.special,
  }));

  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'NFC' },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const tokenizerConfigJson = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: null,
    eos_token: QWEN_SPECIAL_TOKENS.imEnd,
    pad_token: QWEN_SPECIAL_TOKENS.endOfText,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
    model_max_length: 32768,
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...token }) => [String(id), token])),
    chat_template: qwen3ChatTemplate(),
  };
  return { tokenizerJson, tokenizerConfigJson };
}

/** Builds the tiny tokenizer and writes tokenizer.json + tokenizer_config.json into a model directory. */
export async function writeTinyTokenizer(
  dir: string,
  texts: Iterable<string>,
  options: TinyTokenizerOptions = {},
): Promise<TokenizerFiles> {
  const files = buildTinyTokenizer(texts, options);
  await saveTokenizerFiles(dir, files);
  return files;
}
