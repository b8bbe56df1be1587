// The generated training corpus (data/raw): the generator is deterministic and the committed files are
// its output; after one `medrl prepare` run, the corpus keeps its promises (size, mix, lengths) and every
// high-risk category carries the documented flawed share, as the project's own detectors see it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '@medrl/sdk';
import { runPrepare, type PrepareStats } from '../../core/src/data/index.js';
import { DEFAULT_SPECIALTIES } from '../../core/src/data/lexicons.js';
import { answerText, isRiskyPrescription, needsUrgentCare, refersToUrgentCare } from '../../core/src/eval/safety-checks.js';
import { buildRecordsAsync, FLAW_RATE, generateCorpus } from '../../data/raw/generate.js';
import { CRITICAL, RISK_CATEGORIES } from '../../data/raw/gen-high-risk.js';
import { detectFlaw, readJsonl, recordsBySource, safetyReasons } from '../../data/raw/verify.js';
import { repoRoot, tempDir } from '../helpers/tmp.js';

const raw = path.join(repoRoot, 'data/raw');
const sample = path.join(repoRoot, 'data/sample');
/** The documented range of the flawed share in each high-risk category (data/DATA_CARD.md). */
const FLAW_RANGE = [0.35, 0.45] as const;

const outputs = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.jsonl') || n === 'manifest.json').sort();

describe('data/raw/generate.ts', () => {
  it('writes byte-identical files on every run, and the committed corpus and sample are its output', async () => {
    const [a, b] = [tempDir(), tempDir()];
    await generateCorpus({ out: path.join(a, 'raw'), sample: path.join(a, 'sample') });
    await generateCorpus({ out: path.join(b, 'raw'), sample: path.join(b, 'sample') });
    for (const [dir, committed] of [
      ['raw', raw],
      ['sample', sample],
    ] as const) {
      const names = outputs(path.join(a, dir));
      expect(names).toEqual(outputs(path.join(b, dir)));
      expect(names).toEqual(outputs(committed));
      for (const name of names) {
        const bytes = readFileSync(path.join(a, dir, name));
        expect(readFileSync(path.join(b, dir, name)).equals(bytes), `${dir}/${name} differs between runs`).toBe(true);
        expect(readFileSync(path.join(committed, name)).equals(bytes), `committed ${dir}/${name} is stale: npm run data:generate`).toBe(true);
      }
    }
  });

  it('rejects an unknown seed value before writing anything', async () => {
    const dir = tempDir();
    await expect(generateCorpus({ out: path.join(dir, 'raw'), seed: -1 })).rejects.toThrow(/seed/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the corpus after medrl prepare (default config)', () => {
  let stats: PrepareStats;
  let train: Sample[];
  let test: Sample[];
  const manifest = JSON.parse(readFileSync(path.join(raw, 'manifest.json'), 'utf8'));
  let bySource: ReturnType<typeof recordsBySource>;

  beforeAll(async () => {
    bySource = recordsBySource(await buildRecordsAsync(manifest.seed));
    const out = tempDir();
    stats = await runPrepare({ input: raw, out });
    train = readJsonl(path.join(out, 'train.jsonl'));
    test = readJsonl(path.join(out, 'test.jsonl'));
  });

  it('keeps about 20,000 records, at least 95% of those generated, in zh and en, every specialty and risk mix', () => {
    const clean = stats.files.filter((f) => f.file.startsWith('medical_'));
    const generated = clean.reduce((sum, f) => sum + f.lines, 0);
    expect(generated).toBe(manifest.records.total);
    expect(clean.reduce((sum, f) => sum + f.kept, 0) / generated).toBeGreaterThanOrEqual(0.95);
    const kept = stats.totals.kept;
    expect(kept).toBeGreaterThan(18_000);
    expect(kept).toBeLessThan(22_000);
    const d = stats.distribution;
    expect(d.lang.zh / kept).toBeGreaterThanOrEqual(0.7);
    expect(d.lang.zh / kept).toBeLessThanOrEqual(0.75);
    expect(d.lang.zh + d.lang.en).toBe(kept);
    for (const specialty of Object.keys(DEFAULT_SPECIALTIES)) expect(d.specialty[specialty] ?? 0, specialty).toBeGreaterThanOrEqual(200);
    const highRisk = (d.risk_level.high + d.risk_level.critical) / kept;
    expect(highRisk).toBeGreaterThanOrEqual(0.35);
    expect(highRisk).toBeLessThanOrEqual(0.4);
    expect(d.risk_level.critical).toBeGreaterThanOrEqual(3000);
    for (const category of RISK_CATEGORIES) expect(d.risk_categories[category] ?? 0, category).toBeGreaterThanOrEqual(800);
  });

  it('has thinks and answers within the length bands and the token budget of the tiny model', () => {
    expect(manifest.lengths.outOfBand).toBe(0);
    expect(manifest.tokens.all.median).toBeLessThanOrEqual(150);
    expect(manifest.tokens.all.p95).toBeLessThanOrEqual(230);
    expect(train.every((s) => /^<think>\n[^\n][\s\S]*\n<\/think>\n\n\S/.test(s.output))).toBe(true);
  });

  it('gives every high-risk category the documented flawed share, seen by the project detectors', async () => {
    const diagnosis = train.filter((s) => s.meta.risk_categories?.includes('definitive_diagnosis'));
    const flagged = new Set(
      (await safetyReasons(diagnosis)).flatMap((reasons, i) => (reasons.includes('safety/definitive-diagnosis') ? [diagnosis[i].id] : [])),
    );
    for (const category of RISK_CATEGORIES) {
      const members = train.filter((s) => s.meta.risk_categories?.includes(category));
      const detected = members.map((s) => detectFlaw(s, flagged.has(s.id)));
      const share = detected.filter(Boolean).length / members.length;
      expect(share, category).toBeGreaterThanOrEqual(FLAW_RANGE[0]);
      expect(share, category).toBeLessThanOrEqual(FLAW_RANGE[1]);
      // The detectors and the generator agree on which answers are flawed: safe ones pass them.
      const agree = members.filter((s, i) => Boolean(detected[i]) === bySource.get(String(s.meta.source))?.flawed).length;
      expect(agree / members.length, category).toBeGreaterThanOrEqual(0.99);
    }
    expect(manifest.flawRate).toBe(FLAW_RATE);
    for (const category of RISK_CATEGORIES) {
      expect(manifest.categories[category].flawed).toBe(Math.round(FLAW_RATE * manifest.categories[category].records));
    }
  });

  it('covers urgent care in about 60% of the records that need it; routine answers carry no risky prescription', () => {
    for (const split of [train, test]) {
      const urgent = split.filter((s) => needsUrgentCare(s.meta));
      const coverage = urgent.filter((s) => refersToUrgentCare(answerText(s.output))).length / urgent.length;
      expect(coverage).toBeGreaterThan(0.5);
      expect(coverage).toBeLessThan(0.7);
      expect(urgent.every((s) => CRITICAL.some((c) => s.meta.risk_categories?.includes(c)))).toBe(true);
    }
    const routine = train.filter((s) => s.meta.risk_level === 'low' || s.meta.risk_level === 'medium');
    expect(routine.filter((s) => isRiskyPrescription(answerText(s.output))).length / routine.length).toBeLessThan(0.005);
    expect(routine.every((s) => !bySource.get(String(s.meta.source))?.flawed)).toBe(true);
  });

  it('matches the counts that data/DATA_CARD.md quotes', () => {
    const card = readFileSync(path.join(repoRoot, 'data/DATA_CARD.md'), 'utf8');
    const t = stats.totals;
    expect(card).toContain(`| **total** | **${t.lines}** | **${t.kept}** | **${t.duplicates.exact}** | **${t.duplicates.near}** | **${t.rejected}** |`);
    for (const split of ['train', 'dev', 'test'] as const) {
      const r = stats.bySplit[split].risk_level;
      expect(card).toContain(`| ${split} | ${stats.splits[split]} | ${r.critical ?? 0} | ${r.high ?? 0} | ${r.medium ?? 0} | ${r.low ?? 0} |`);
    }
    expect(card).toContain(`| gold_set (from train) | ${stats.splits.gold_set} |`);
    expect(card).toContain(`| red_team (from train) | ${stats.splits.red_team} |`);
    for (const category of RISK_CATEGORIES) {
      const c = manifest.categories[category];
      expect(card).toContain(`| ${category} | ${c.records} | ${c.flawed} |`);
    }
  });
});
