import { AhoCorasick } from '@monyone/aho-corasick/fast';
import { AC_HIT_FIELDS, PhraseAutomaton } from '../src/automaton.js';
import { DEFAULT_KEYWORD_LEXICONS, DEFAULT_SAFETY_LEXICONS, negationLexicons } from '../src/index.js';
import { fold, FOLD } from '../src/text.js';

/** Hits of the automaton as `start:phrase`, in its order. */
function hitsOf(automaton: PhraseAutomaton, phrases: readonly string[], text: string): string[] {
  const count = automaton.scan(text);
  const out: string[] = [];
  for (let h = 0; h < count; h++) {
    const at = h * AC_HIT_FIELDS;
    expect(automaton.hits[at + 1]! - automaton.hits[at]!).toBe(phrases[automaton.hits[at + 2]!]!.length);
    out.push(`${automaton.hits[at]}:${phrases[automaton.hits[at + 2]!]}`);
  }
  return out;
}

/** The oracle: @monyone/aho-corasick's matches, ordered by start, the longer first. */
function oracle(library: AhoCorasick, text: string): string[] {
  return library
    .matchInText(text)
    .sort((a, b) => a.begin - b.begin || b.end - a.end)
    .map((m) => `${m.begin}:${m.keyword}`);
}

// Deterministic generator (mulberry32).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEXICON_PHRASES = [
  ...new Set(
    [
      ...Object.values(DEFAULT_SAFETY_LEXICONS).flat(),
      ...Object.values(DEFAULT_KEYWORD_LEXICONS).flatMap((l) => l.phrases),
      ...Object.values(negationLexicons).flat(),
    ].map(fold),
  ),
];

describe('PhraseAutomaton', () => {
  it.each([
    { name: 'classic he/she/his/hers', phrases: ['he', 'she', 'his', 'hers'], text: 'ushers and his shed' },
    { name: 'nested and overlapping', phrases: ['a', 'ab', 'abc', 'bc', 'c', 'bcd'], text: 'abcdabcabc' },
    { name: 'repeats', phrases: ['aa', 'aaa'], text: 'aaaaaa' },
    {
      name: 'Chinese with shared prefixes',
      phrases: ['就医', '立即就医', '急诊', '不用去急诊', '去急诊'],
      text: '不用去急诊，请立即就医或去急诊。',
    },
    { name: 'no phrase in the text', phrases: ['胸痛'], text: 'nothing here' },
    { name: 'empty text', phrases: ['x'], text: '' },
  ])('finds what the library finds: $name', ({ phrases, text }) => {
    expect(hitsOf(new PhraseAutomaton(phrases), phrases, text)).toEqual(oracle(new AhoCorasick(phrases), text));
  });

  it('matches the library on the default lexicons over generated zh/en text', () => {
    const automaton = new PhraseAutomaton(LEXICON_PHRASES);
    const library = new AhoCorasick(LEXICON_PHRASES);
    const rand = rng(7);
    const fillers = ['的', '，', '。', ' ', 'the ', 'a', '1', '0', '、', '\n', 'x'];
    let total = 0;
    for (let t = 0; t < 400; t++) {
      let text = '';
      while (text.length < 300) {
        text +=
          rand() < 0.5
            ? LEXICON_PHRASES[Math.floor(rand() * LEXICON_PHRASES.length)]!
            : fillers[Math.floor(rand() * fillers.length)]!;
      }
      const expected = oracle(library, text);
      total += expected.length;
      expect(hitsOf(automaton, LEXICON_PHRASES, text)).toEqual(expected);
    }
    expect(total).toBeGreaterThan(10_000);
  });

  it('matches random phrase sets over a small alphabet (dense overlaps, deep failure chains)', () => {
    const rand = rng(11);
    const alphabet = 'abc急诊';
    const word = (max: number): string =>
      Array.from({ length: 1 + Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(
        '',
      );
    for (let round = 0; round < 50; round++) {
      const phrases = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => word(6)))];
      const automaton = new PhraseAutomaton(phrases);
      const library = new AhoCorasick(phrases);
      for (let t = 0; t < 10; t++) {
        const text = word(200);
        expect(hitsOf(automaton, phrases, text)).toEqual(oracle(library, text));
      }
    }
  });

  it('folds the text through the fold table (offsets unchanged)', () => {
    const phrases = ['call 911', '拨打120'];
    const automaton = new PhraseAutomaton(phrases, { fold: FOLD });
    expect(hitsOf(automaton, phrases, 'Please CALL 911 或 拨打１２０')).toEqual(['7:call 911', '18:拨打120']);
  });

  it('drops whole-word phrases that touch a letter or digit of the same kind', () => {
    const phrases = ['er', '120', 'no'];
    const edgeKind = new Uint8Array(65536);
    for (let c = 97; c <= 122; c++) edgeKind[c] = 1;
    for (let c = 48; c <= 57; c++) edgeKind[c] = 2;
    const automaton = new PhraseAutomaton(phrases, { edgeKind });
    expect(hitsOf(automaton, phrases, 'go to the er, not the over. 120 or 1201 or a120. no')).toEqual([
      '10:er',
      '28:120',
      '44:120',
      '49:no',
    ]);
  });

  it('records the offsets of boundary units', () => {
    const boundary = new Uint8Array(65536);
    for (const ch of '，。') boundary[ch.charCodeAt(0)] = 1;
    const automaton = new PhraseAutomaton(['就医'], { boundary });
    automaton.scan('先休息，再就医。好');
    expect([...automaton.boundaries.subarray(0, automaton.boundaryCount)]).toEqual([3, 7]);
  });

  it('rejects empty and duplicate phrases', () => {
    expect(() => new PhraseAutomaton([''])).toThrow(/empty phrase/);
    expect(() => new PhraseAutomaton(['a', 'a'])).toThrow(/duplicate phrase "a"/);
  });
});
