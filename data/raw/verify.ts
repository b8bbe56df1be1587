/**
 * Checks the generated corpus with the project's own tools and prints the numbers data/DATA_CARD.md
 * quotes: `npx tsx data/raw/verify.ts [--input data/raw] [--out <dir>]`.
 *
 * - `medrl prepare` (runPrepare, default config): kept, rejected and duplicate counts, and how many of
 *   the generated records survive dedupe;
 * - the classifier's labels against the generator's intent (risk category of each record);
 * - core/src/eval/safety-checks.ts over the train and test splits: urgent-referral coverage among
 *   records that need urgent care, the risky-prescription rate, and the flawed share per category;
 * - the rules plugin's safety rules, safe answers against flawed ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sample } from '@medrl/sdk';
import { runPrepare } from '../../core/src/data/index.js';
import { answerText, isRiskyPrescription, needsUrgentCare, refersToUrgentCare } from '../../core/src/eval/safety-checks.js';
import { safetyReward } from '../../plugins/rules/src/index.js';
import { assistantText } from './gen-formats.js';
import { buildRecords, qwenTokenCounter, summarize, type RecordInfo } from './generate.js';
import { CRITICAL, RISK_CATEGORIES, type RiskCategory } from './gen-high-risk.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const FILE_OF = { r1: 'medical_r1.jsonl', alpaca: 'medical_alpaca.jsonl', chat: 'medical_chat.jsonl' } as const;

/** `file:line` of every generated record, as prepare's meta.source names it. */
export function recordsBySource(records: RecordInfo[]): Map<string, RecordInfo> {
  const line = { r1: 0, alpaca: 0, chat: 0 };
  const out = new Map<string, RecordInfo>();
  for (const r of records) out.set(`${FILE_OF[r.format]}:${++line[r.format]}`, r);
  return out;
}

export function readJsonl<T = Sample>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/**
 * Whether a prepared record's answer shows the flaw its risk calls for: a critical record without an
 * urgent referral; a high one that recommends a prescription drug or dose without a doctor (prescription,
 * dosing, pregnancy and infants) or, for definitive-diagnosis questions, whose answer the rules plugin
 * flags as a definitive diagnosis (safety-checks.ts has no diagnosis detector). Null: no flaw defined.
 */
export function detectFlaw(sample: Sample, diagnosisFlagged: boolean): boolean | null {
  const meta = sample.meta;
  const answer = answerText(sample.output);
  if (needsUrgentCare(meta)) return !refersToUrgentCare(answer);
  const categories = meta.risk_categories ?? [];
  if (categories.includes('definitive_diagnosis')) return diagnosisFlagged;
  if (categories.some((c) => ['prescription_drug', 'dosing', 'pregnancy_infant'].includes(c))) return isRiskyPrescription(answer);
  return null;
}

/** rules/safety's fired rule ids for each prepared record (prompt = instruction and input). */
export async function safetyReasons(samples: Sample[]): Promise<string[][]> {
  const component = safetyReward();
  const scores = await component.score(
    samples.map((s) => ({ id: s.id, prompt: [s.instruction, s.input].filter(Boolean).join('\n'), completion: s.output, meta: s.meta })),
    undefined as never,
  );
  return scores.map((score) => score?.reasons ?? []);
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const input = path.resolve(flag('--input') ?? here);
  const tmp = flag('--out') ? undefined : mkdtempSync(path.join(os.tmpdir(), 'medrl-verify-'));
  const out = path.resolve(flag('--out') ?? tmp!);
  const manifest = JSON.parse(readFileSync(path.join(input, 'manifest.json'), 'utf8'));
  const records = buildRecords(manifest.seed);
  const bySource = recordsBySource(records);

  const stats = await runPrepare({ input, out });
  const print = (line = '') => console.log(line);
  print(`## medrl prepare (default config) on ${path.relative(process.cwd(), input) || '.'}`);
  print('| file | lines | kept | exact dup. | near dup. | rejected |');
  print('|---|---|---|---|---|---|');
  for (const f of [...stats.files, { file: '**total**', ...stats.totals }]) {
    print(`| ${f.file} | ${f.lines} | ${f.kept} | ${f.duplicates.exact} | ${f.duplicates.near} | ${f.rejected} |`);
  }
  const clean = stats.files.filter((f) => f.file.startsWith('medical_'));
  const generated = clean.reduce((s, f) => s + f.lines, 0);
  const kept = clean.reduce((s, f) => s + f.kept, 0);
  print(`\ngenerated records kept: ${kept} of ${generated} (${pct(kept, generated)})`);
  const d = stats.distribution;
  const total = stats.totals.kept;
  print(`risk: ${Object.entries(d.risk_level).map(([k, v]) => `${k} ${v} (${pct(v, total)})`).join(', ')}; high+critical ${pct((d.risk_level.high ?? 0) + (d.risk_level.critical ?? 0), total)}`);
  print(`lang: ${Object.entries(d.lang).map(([k, v]) => `${k} ${v} (${pct(v, total)})`).join(', ')}`);
  print(`categories: ${Object.entries(d.risk_categories).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  print(`specialties (${Object.keys(d.specialty).length}): ${Object.entries(d.specialty).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  print(`splits: ${Object.entries(stats.splits).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  const splits = { train: readJsonl(path.join(out, 'train.jsonl')), dev: readJsonl(path.join(out, 'dev.jsonl')), test: readJsonl(path.join(out, 'test.jsonl')) };
  const all = [...splits.train, ...splits.dev, ...splits.test];
  const reasons = await safetyReasons(all);
  const reasonOf = new Map(all.map((s, i) => [s.id, reasons[i]]));
  const origin = (s: Sample) => bySource.get(String(s.meta.source));

  print('\n## classifier against the generator (kept records)');
  print('| intended | records | classified with that category | classified high or critical |');
  print('|---|---|---|---|');
  for (const c of RISK_CATEGORIES) {
    const members = all.filter((s) => origin(s)?.category === c);
    const same = members.filter((s) => (s.meta.risk_categories ?? []).includes(c)).length;
    const level = members.filter((s) => ['high', 'critical'].includes(String(s.meta.risk_level))).length;
    print(`| ${c} | ${members.length} | ${pct(same, members.length)} | ${pct(level, members.length)} |`);
  }
  const routine = all.filter((s) => origin(s) && origin(s)!.category === undefined);
  const routineHigh = routine.filter((s) => ['high', 'critical'].includes(String(s.meta.risk_level)));
  print(`| routine | ${routine.length} | | ${pct(routineHigh.length, routine.length)} |`);
  for (const s of routineHigh.slice(0, 8)) print(`  routine flagged ${s.meta.risk_level} ${JSON.stringify(s.meta.risk_categories)}: ${s.instruction.slice(0, 60)}`);

  print('\n## safety-checks.ts per split');
  print('| split | records | need urgent care | urgent-referral coverage | risky prescription (all) | risky, high+critical | risky, low+medium |');
  print('|---|---|---|---|---|---|---|');
  for (const [name, samples] of Object.entries(splits)) {
    const urgent = samples.filter((s) => needsUrgentCare(s.meta));
    const covered = urgent.filter((s) => refersToUrgentCare(answerText(s.output))).length;
    const risky = (xs: Sample[]) => xs.filter((s) => isRiskyPrescription(answerText(s.output))).length;
    const high = samples.filter((s) => ['high', 'critical'].includes(String(s.meta.risk_level)));
    const low = samples.filter((s) => !['high', 'critical'].includes(String(s.meta.risk_level)));
    print(`| ${name} | ${samples.length} | ${urgent.length} | ${pct(covered, urgent.length)} | ${pct(risky(samples), samples.length)} | ${pct(risky(high), high.length)} | ${pct(risky(low), low.length)} |`);
  }

  print('\n## flawed share per classified category (train; detector: see detectFlaw)');
  print('| category | records | flawed by detector | generator label flawed | detector = label |');
  print('|---|---|---|---|---|');
  for (const c of RISK_CATEGORIES) {
    const members = splits.train.filter((s) => (s.meta.risk_categories ?? []).includes(c));
    let flagged = 0;
    let labelled = 0;
    let agree = 0;
    for (const s of members) {
      const detected = detectFlaw(s, reasonOf.get(s.id)!.includes('safety/definitive-diagnosis'));
      const label = origin(s)?.flawed ?? false;
      if (detected) flagged++;
      if (label) labelled++;
      if (Boolean(detected) === label) agree++;
    }
    print(`| ${c} | ${members.length} | ${pct(flagged, members.length)} | ${pct(labelled, members.length)} | ${pct(agree, members.length)} |`);
  }

  print('\n## rules/safety on kept records: safe against flawed answers (by intended category)');
  const RULES: Record<RiskCategory, string[]> = {
    emergency: ['safety/emergency-referral', 'safety/emergency-weak-referral', 'safety/emergency-no-referral'],
    poisoning_overdose: ['safety/emergency-referral', 'safety/emergency-weak-referral', 'safety/emergency-no-referral'],
    suicide_self_harm: ['safety/crisis-support', 'safety/suicide-weak-support', 'safety/suicide-no-crisis', 'safety/self-harm-method'],
    pregnancy_infant: ['safety/pregnancy-risky-drug', 'safety/rx-dose-no-qualifier'],
    prescription_drug: ['safety/rx-dose-no-qualifier', 'safety/rx-without-doctor'],
    dosing: ['safety/rx-dose-no-qualifier'],
    definitive_diagnosis: ['safety/definitive-diagnosis'],
  };
  print('| intended | answers | ' + 'rule fire rates |');
  print('|---|---|---|');
  for (const c of RISK_CATEGORIES) {
    for (const flawed of [false, true]) {
      const members = all.filter((s) => origin(s)?.category === c && origin(s)!.flawed === flawed);
      const rates = RULES[c].map((rule) => `${rule.replace('safety/', '')} ${pct(members.filter((s) => reasonOf.get(s.id)!.includes(rule)).length, members.length)}`);
      print(`| ${c} | ${flawed ? 'flawed' : 'safe'} ${members.length} | ${rates.join(', ')} |`);
    }
  }
  const routineRx = routine.filter((s) => reasonOf.get(s.id)!.some((r) => ['safety/rx-dose-no-qualifier', 'safety/definitive-diagnosis', 'safety/pregnancy-risky-drug', 'safety/rx-without-doctor'].includes(r)));
  print(`routine answers firing a drug or diagnosis penalty: ${routineRx.length} of ${routine.length}`);
  for (const s of routineRx.slice(0, 5)) print(`  ${reasonOf.get(s.id)!.join(',')}: ${answerText(s.output).slice(0, 80)}`);
  const critical = all.filter((s) => origin(s)?.category && CRITICAL.includes(origin(s)!.category!));
  print(`critical records (intended): ${critical.length}`);

  print('\n## Qwen3 tokens of the assistant part (`<think>\\n…\\n</think>\\n\\n…`), every generated record');
  const countTokens = await qwenTokenCounter();
  const tokens = records.map((r) => countTokens(assistantText(r.qa)));
  for (const [name, pick] of [
    ['all', () => true],
    ['zh', (r: RecordInfo) => r.lang === 'zh'],
    ['en', (r: RecordInfo) => r.lang === 'en'],
    ['flawed', (r: RecordInfo) => r.flawed],
    ['safe high-risk', (r: RecordInfo) => r.category !== undefined && !r.flawed],
  ] as const) {
    const t = summarize(tokens.filter((_, i) => pick(records[i])));
    print(`${name}: n ${t.n}, median ${t.median}, p95 ${t.p95}, max ${t.max}, mean ${t.mean}`);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`verify: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  });
}
