/**
 * The timed half of bench/rules.ts, in plain JavaScript so that it runs under plain node (no tsx): with
 * tsx's loader registered the same run is ~8% slower (more objects survive young-generation GCs; not
 * source maps, not async hooks, and tsx does not transform dist). bench/rules.ts writes the corpus to a
 * JSON file and spawns this script; it prints one JSON line per row on stdout.
 *   node bench/rules-driver.mjs <corpus.json> <plugins/rules/dist/index.js> <batch> <reps> [--only-all]
 * Imports: the compiled plugin, @medrl/sdk, @monyone/aho-corasick (the scan floor). Nothing else.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { createTestContext } from '@medrl/sdk';
import { AhoCorasick } from '@monyone/aho-corasick/fast';

const [corpusFile, pluginEntry, batchArg, repsArg] = process.argv.slice(2);
const BATCH = Number(batchArg);
const REPS = Number(repsArg);
const onlyAll = process.argv.includes('--only-all');
const plugin = await import(pathToFileURL(pluginEntry).href);
const { default: rulesPlugin, DEFAULT_KEYWORD_LEXICONS, DEFAULT_SAFETY_LEXICONS, negationLexicons } = plugin;
const { PhraseIndex, DEFAULT_SAFETY_OPTIONS } = plugin;

// Flat strings, as a corpus file gives them.
const rollouts = JSON.parse(readFileSync(corpusFile, 'utf8'));

const components = [];
const context = createTestContext({ command: 'bench' });
await rulesPlugin().setup({
  context,
  registerReward: (c) => components.push(c),
  registerJudge: () => undefined,
  registerCheckpointWriter: () => undefined,
});

// GC pauses (main thread), summed per run.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
// GC entries arrive on a later turn of the event loop: a timer lets them in.
const settle = () => delay(0);

/** Best of REPS runs by CPU time (process.cpuUsage: every thread of the process, GC helpers included). */
async function best(body) {
  let result;
  for (let r = 0; r < REPS; r++) {
    await settle();
    gcMs = 0;
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await body();
    const used = process.cpuUsage(cpu);
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    await settle();
    const timing = { wall, cpu: (used.user + used.system) / 1e6, gc: gcMs / 1e3 };
    if (!result || timing.cpu < result.cpu) result = timing;
  }
  return result;
}

async function scoreAll(selected, corpus = rollouts) {
  for (let i = 0; i < corpus.length; i += BATCH) {
    const batch = corpus.slice(i, i + BATCH);
    for (const component of selected) await component.score(batch, context);
  }
}

// Warm-up (JIT, caches of prompts) in batches of the timed size: one batch of 5,000 kept every score
// alive across young-generation GCs, so V8 pretenured the score objects' allocation sites and the timed
// run then allocated them in the old generation (all four ~10% slower).
const warm = rollouts.slice(0, 5000);
await scoreAll(components, warm);

const emit = (name, timing) => console.log(JSON.stringify({ name, ...timing }));

if (!onlyAll) {
  // The floors: the package's shared reading (automaton, clauses, sentences, negation marks of every
  // lexicon; `one` reads a text outside a batch, with nothing cached) and @monyone/aho-corasick.
  const index = new PhraseIndex();
  const targets = [
    ...Object.values(DEFAULT_SAFETY_LEXICONS),
    ...Object.values(DEFAULT_KEYWORD_LEXICONS).map((l) => l.phrases),
  ].map((phrases) => index.add(phrases));
  const negation = index.negation(DEFAULT_SAFETY_OPTIONS.negation, targets);
  const { analyzer, scanner } = index;
  for (const r of warm) analyzer.one(r.completion, negation);
  emit(
    `scan only: plugin automaton, clauses, sentences, negation marks (${scanner.size} phrases)`,
    await best(() => {
      for (const r of rollouts) analyzer.one(r.completion, negation);
    }),
  );
  const phraseLists = [
    ...Object.values(DEFAULT_SAFETY_LEXICONS),
    ...Object.values(DEFAULT_KEYWORD_LEXICONS).map((l) => l.phrases),
    ...Object.values(negationLexicons),
  ];
  const phrases = new Set(phraseLists.flat().map((p) => p.toLowerCase()));
  const automaton = new AhoCorasick([...phrases]);
  for (const r of warm) automaton.matchInText(r.completion);
  emit(
    `scan only: @monyone/aho-corasick, matches only (${phrases.size} phrases)`,
    await best(() => {
      for (const r of rollouts) automaton.matchInText(r.completion);
    }),
  );
  for (const component of components) emit(component.name, await best(() => scoreAll([component])));
}
emit('all four (one plugin)', await best(() => scoreAll(components)));
