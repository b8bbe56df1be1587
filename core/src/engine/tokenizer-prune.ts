/**
 * A byte-level BPE tokenizer (Qwen3's) cut down to the tokens a corpus uses, so that a small model
 * trained from scratch can have a small embedding while still running the real tokenizer, chat
 * template and control tokens.
 *
 * What is kept: every token the full tokenizer produces on the corpus, every token a merge builds on
 * the way to one of those (so the kept merges can still reach it), the 256 byte tokens (so any text
 * stays encodable) and every added token. A merge is kept when its two parts and its result are
 * kept, in the original order. Why this reproduces the full tokenizer on the corpus: each merge the
 * full tokenizer applies to a corpus word builds an ancestor of a kept token, so it is kept too, and
 * at every step it is still the best-ranked merge among the (fewer) candidates. Other text gets
 * coarser tokens, never an unknown one.
 *
 * Ids: kept vocabulary tokens in their original order from 0, then the added tokens in their
 * original order. `idMap` gives the new id of each original id, for checks and for porting weights.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { TokenizerFiles } from './tokenizer.js';

export interface PrunedTokenizer {
  files: TokenizerFiles;
  /** Original id -> pruned id, for every kept token (added tokens included). */
  idMap: Map<number, number>;
  /** Tokens the corpus itself produced (before adding merge parts and bytes). */
  corpusTokens: number;
  vocabSize: number;
}

type Merge = [string, string];

interface BpeModelJson {
  type: string;
  vocab: Record<string, number>;
  merges: (string | Merge)[];
  [key: string]: unknown;
}

interface AddedTokenJson {
  id: number;
  content: string;
  [key: string]: unknown;
}

/** The GPT-2 byte-to-character table of byte-level BPE: the 256 one-character tokens every text decomposes into. */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + shifted++));
  return out;
}

const asPair = (merge: string | Merge): Merge => {
  if (Array.isArray(merge)) return merge;
  const space = merge.indexOf(' ', 1);
  return [merge.slice(0, space), merge.slice(space + 1)];
};

/** Prunes a byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json) to the tokens `texts` need. */
export function pruneBpeTokenizer(files: TokenizerFiles, texts: Iterable<string>): PrunedTokenizer {
  const tokenizerJson = files.tokenizerJson as { model: BpeModelJson; added_tokens: AddedTokenJson[] };
  const model = tokenizerJson.model;
  if (model?.type !== 'BPE') throw new Error(`tokenizer prune: needs a BPE model, got ${String(model?.type)}`);
  const alphabet = byteLevelAlphabet();
  const missingBytes = alphabet.filter((c) => model.vocab[c] === undefined);
  if (missingBytes.length > 0) {
    throw new Error(
      `tokenizer prune: not a byte-level BPE (${missingBytes.length} byte characters missing from the vocabulary)`,
    );
  }

  const full = new HfTokenizer(files.tokenizerJson, files.tokenizerConfigJson);
  const idToToken = new Map<number, string>();
  for (const [token, id] of Object.entries(model.vocab)) idToToken.set(id, token);
  const addedById = new Map(tokenizerJson.added_tokens.map((t) => [t.id, t]));

  const used = new Set<string>();
  for (const text of texts) {
    for (const id of full.encode(text, { add_special_tokens: false }).ids) {
      const token = idToToken.get(id);
      if (token !== undefined) used.add(token);
      else if (!addedById.has(id))
        throw new Error(`tokenizer prune: id ${id} is neither in the vocabulary nor an added token`);
    }
  }
  const corpusTokens = used.size;

  // Every merge that builds a token, so that a kept token brings along the parts it is made of.
  const buildsOf = new Map<string, Merge[]>();
  const merges = model.merges.map(asPair);
  for (const merge of merges) {
    const result = merge[0] + merge[1];
    const list = buildsOf.get(result);
    if (list) list.push(merge);
    else buildsOf.set(result, [merge]);
  }
  const keep = new Set<string>(alphabet);
  const stack = [...used];
  while (stack.length > 0) {
    const token = stack.pop()!;
    if (keep.has(token)) continue;
    keep.add(token);
    for (const [a, b] of buildsOf.get(token) ?? []) stack.push(a, b);
  }

  const kept = [...keep].sort((a, b) => model.vocab[a]! - model.vocab[b]!);
  const idMap = new Map<number, number>();
  const vocab: Record<string, number> = {};
  kept.forEach((token, id) => {
    vocab[token] = id;
    idMap.set(model.vocab[token]!, id);
  });
  const added = [...tokenizerJson.added_tokens].sort((a, b) => a.id - b.id);
  const addedTokens = added.map((t, i) => {
    idMap.set(t.id, kept.length + i);
    return { ...t, id: kept.length + i };
  });
  const keptMerges = merges.filter(([a, b]) => keep.has(a) && keep.has(b) && keep.has(a + b));

  const prunedJson = {
    ...files.tokenizerJson,
    added_tokens: addedTokens,
    model: { ...model, vocab, merges: keptMerges },
  };
  const config = files.tokenizerConfigJson as { added_tokens_decoder?: Record<string, unknown> };
  const decoder: Record<string, unknown> = {};
  for (const [oldId, entry] of Object.entries(config.added_tokens_decoder ?? {})) {
    const newId = idMap.get(Number(oldId));
    if (newId !== undefined) decoder[String(newId)] = entry;
  }
  const prunedConfig = { ...files.tokenizerConfigJson, added_tokens_decoder: decoder };
  return {
    files: { tokenizerJson: prunedJson, tokenizerConfigJson: prunedConfig },
    idMap,
    corpusTokens,
    vocabSize: kept.length + addedTokens.length,
  };
}
