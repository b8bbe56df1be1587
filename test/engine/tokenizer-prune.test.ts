// The pruned Qwen3 tokenizer: same tokens as the full one on the corpus, any other text still
// encodes and decodes, ids are compact, and the control tokens and chat template survive.
import { beforeAll, describe, expect, it } from 'vitest';
import { byteLevelAlphabet, pruneBpeTokenizer } from '../../core/src/engine/tokenizer-prune.js';
import { Tokenizer, loadDefaultTokenizer } from '../../core/src/engine/tokenizer.js';

const CORPUS = [
  '<|im_start|>user\n胸口压榨样疼痛，出冷汗，要紧吗？<|im_end|>\n<|im_start|>assistant\n',
  '<think>胸痛伴大汗需警惕心肌梗死。</think>\n请立即拨打120，不要自行驾车去医院。',
  'My 2-year-old has a barking cough that gets worse at night. Could this be croup?',
  '<think>Croup is usually viral.</think>\nKeep your child calm and upright; call 911 if breathing is noisy at rest.',
];

let full: Tokenizer;
let pruned: ReturnType<typeof pruneBpeTokenizer>;
let small: Tokenizer;
beforeAll(async () => {
  full = await loadDefaultTokenizer();
  pruned = pruneBpeTokenizer(full.files, CORPUS);
  small = new Tokenizer(pruned.files, 'pruned');
});

describe('pruneBpeTokenizer', () => {
  it('splits the corpus exactly as the full Qwen3 tokenizer does', () => {
    for (const text of CORPUS) {
      const ids = full.encode(text);
      expect(small.tokens(small.encode(text))).toEqual(full.tokens(ids));
      expect(small.encode(text).map((id) => id)).toEqual(ids.map((id) => pruned.idMap.get(id)));
    }
  });

  it('keeps a small, dense vocabulary: corpus tokens, their merge parts, the 256 bytes and the added tokens', () => {
    const vocab = (pruned.files.tokenizerJson as { model: { vocab: Record<string, number> } }).model.vocab;
    const ids = Object.values(vocab).sort((a, b) => a - b);
    expect(ids).toEqual(ids.map((_, i) => i));
    for (const byte of byteLevelAlphabet()) expect(vocab[byte]).toBeDefined();
    expect(pruned.vocabSize).toBe(ids.length + 26);
    expect(pruned.vocabSize).toBeLessThan(1000);
    expect(pruned.corpusTokens).toBeLessThan(ids.length);
  });

  it('encodes text outside the corpus with coarser tokens and decodes it back exactly', () => {
    for (const text of ['Ünïcödé 龘𠀀 😀', 'pneumothorax', '肺栓塞 D-二聚体', '\t  \r\n']) {
      const ids = small.encode(text);
      expect(ids.length).toBeGreaterThanOrEqual(full.encode(text).length);
      expect(small.decode(ids)).toBe(text);
    }
  });

  it('keeps the control tokens, EOS and padding, and renders the chat template', () => {
    const special = small.specialTokenIds;
    expect(small.tokens([special.imStart!, special.imEnd!, special.thinkStart!, special.thinkEnd!])).toEqual([
      '<|im_start|>',
      '<|im_end|>',
      '<think>',
      '</think>',
    ]);
    expect(small.eosTokenIds).toContain(special.imEnd);
    expect(small.tokens([small.padTokenId])).toEqual(['<|endoftext|>']);
    expect(small.isSpecial(special.imEnd!)).toBe(true);
    expect(small.isSpecial(special.thinkStart!)).toBe(false);
    const rendered = small.applyChatTemplate([{ role: 'user', content: '胸口疼' }], { addGenerationPrompt: true });
    expect(rendered).toBe(full.applyChatTemplate([{ role: 'user', content: '胸口疼' }], { addGenerationPrompt: true }));
  });

  it('is deterministic and rejects a tokenizer that is not byte-level BPE', () => {
    expect(JSON.stringify(pruneBpeTokenizer(full.files, [...CORPUS].reverse()).files)).toBe(
      JSON.stringify(pruned.files),
    );
    const wordLevel = {
      ...full.files,
      tokenizerJson: { ...full.files.tokenizerJson, model: { type: 'WordLevel', vocab: {} } },
    };
    expect(() => pruneBpeTokenizer(wordLevel, CORPUS)).toThrow(/needs a BPE model, got WordLevel/);
  });
});
