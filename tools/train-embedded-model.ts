/**
 * Reproduces the embedded model, core/assets/medrl-qwen3-tiny: `npm run model:train`.
 *   1. `medrl prepare` with the repository's data settings (data/raw -> data/processed), so the
 *      split the main job evaluates on is the one this model never trains on;
 *   2. `medrl sft --from-scratch` with tools/embedded-model.config.ts (a Qwen3 of its tiny shape,
 *      the Qwen3 tokenizer pruned to the corpus), output in runs/embedded-model (resumable with --resume);
 *   3. the model card (README.md with the loss curve, loss.svg, sample answers to held-out prompts)
 *      and the model files copied into the asset folder, atomically.
 * Options: --resume (continue an interrupted SFT), --card-only (step 3 from an existing SFT output),
 *          --out <dir> (default core/assets/medrl-qwen3-tiny)
 */
import 'reflect-metadata';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import type { TopLevelSpec } from 'vega-lite';
import { runPrepare } from '../core/src/data/index.js';
import { EMBEDDED_MODEL_NAME } from '../core/src/engine/embedded.js';
import { generate } from '../core/src/engine/generate.js';
import { loadModelDir } from '../core/src/engine/policy.js';
import { activeBackend, initBackend } from '../core/src/engine/backend.js';
import { readSplits } from '../core/src/eval/dataset.js';
import { renderSvg } from '../core/src/report/charts.js';
import { openRun } from '../core/src/runtime/run.js';
import { writeDirAtomic } from '../core/src/train/atomic-dir.js';
import { runSft, SFT_FINAL_DIR, type SftSummary } from '../core/src/train/sft/trainer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    resume: { type: 'boolean', default: false },
    'card-only': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'core/assets', EMBEDDED_MODEL_NAME) },
  },
});
const configPath = path.join(root, 'tools/embedded-model.config.ts');
const command = 'npm run model:train';

const run = await openRun({ command: 'sft', configPath });
const sftDir = path.resolve(run.rootDir, run.config.sft.output_dir);
let summary: SftSummary | undefined;
let prepareSeconds: number | undefined;
/** The backend SFT ran on (auto picks native TensorFlow when `npm run native:local` built it). */
let backend: { backend: string; threads: number } | undefined;
try {
  if (!values['card-only']) {
    const t = performance.now();
    const stats = await runPrepare({ data: run.config.data, cwd: root, logger: run.logger });
    prepareSeconds = (performance.now() - t) / 1000;
    run.logger.info(`prepare: ${JSON.stringify(stats.splits ?? {})}`);
    summary = await runSft(run, { progress: 'log', ...(values.resume ? { resume: true } : {}) } as never);
    const info = activeBackend();
    backend = info && { backend: info.backend, threads: info.threads };
    await writeFile(
      path.join(sftDir, 'sft_run.json'),
      `${JSON.stringify({ ...summary, prepareSeconds, backend }, null, 2)}\n`,
    );
  } else {
    const saved = JSON.parse(await readFile(path.join(sftDir, 'sft_run.json'), 'utf8')) as SftSummary & {
      prepareSeconds?: number;
      backend?: { backend: string; threads: number };
    };
    summary = saved;
    prepareSeconds = saved.prepareSeconds;
    backend = saved.backend;
  }
} finally {
  await run.close();
}

// --- the model card -----------------------------------------------------------------------------
const finalDir = path.join(sftDir, SFT_FINAL_DIR);
const config = JSON.parse(await readFile(path.join(finalDir, 'config.json'), 'utf8')) as Record<string, number>;
const metrics = (await readFile(path.join(sftDir, 'sft_metrics.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map(
    (l) => JSON.parse(l) as { step: number; loss: number; eval_loss?: number; epoch: number; learning_rate: number },
  );

/** Mean training loss over windows ending at each eval point, next to the dev loss there. */
const evalRows = metrics.filter((m) => m.eval_loss !== undefined);
const curve = evalRows.map((row, i) => {
  const from = i === 0 ? 0 : evalRows[i - 1]!.step;
  const window = metrics.filter((m) => m.step > from && m.step <= row.step);
  return {
    step: row.step,
    epoch: row.epoch,
    train: window.reduce((a, m) => a + m.loss, 0) / Math.max(window.length, 1),
    dev: row.eval_loss!,
  };
});
const svg = await renderSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  width: 560,
  height: 260,
  title: 'Cross-entropy on answer tokens (nats)',
  data: {
    values: [
      ...metrics.map((m) => ({ step: m.step, loss: m.loss, series: 'train (per step)' })),
      ...curve.map((c) => ({ step: c.step, loss: c.dev, series: 'dev' })),
    ],
  },
  mark: { type: 'line', point: false, strokeWidth: 1.5 },
  encoding: {
    x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
    y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (log scale)' },
    color: { field: 'series', type: 'nominal', title: null },
  },
} as TopLevelSpec);

// Sample answers: held-out test prompts of each language and risk level, with Qwen3's decoding.
await initBackend(run.config.engine);
const { model, tokenizer } = await loadModelDir(finalDir);
const processed = path.resolve(root, run.config.eval.dataDir);
const test = await readSplits(processed, ['test'], { highRiskLevels: ['high', 'critical'], heldOutSplit: 'test' });
const picks = (['zh', 'en'] as const).flatMap((lang) =>
  (['low', 'medium', 'high', 'critical'] as const).flatMap((level) =>
    test.filter((t) => t.meta.lang === lang && t.meta.risk_level === level).slice(0, lang === 'zh' ? 2 : 1),
  ),
);
const decoding = { temperature: 0.6, topK: 20, topP: 0.95, maxNewTokens: 320, seed: 0 };
const params = model.numParams;
const answers = await generate(
  model,
  tokenizer,
  picks.map((p) => tokenizer.applyChatTemplate([{ role: 'user', content: p.prompt }], { addGenerationPrompt: true })),
  decoding,
);
model.dispose();

const tokenizerJson = JSON.parse(await readFile(path.join(finalDir, 'tokenizer.json'), 'utf8')) as {
  model: { vocab: Record<string, number> };
  added_tokens: unknown[];
};
const embedding = config.vocab_size! * config.hidden_size!;
const stats = JSON.parse(await readFile(path.join(processed, 'stats.json'), 'utf8')) as {
  splits?: Record<string, number>;
};
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const sft = run.config.sft;
const fmt = (x: number) => x.toFixed(3);
const hours = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(2)} h` : `${(s / 60).toFixed(1)} min`);
const card = `# ${EMBEDDED_MODEL_NAME}

A Qwen3-architecture language model that medrl trained itself, from random weights, on its own synthetic
bilingual (Chinese and English) medical question-answering corpus. It is the default model of \`npx medrl
train\`, \`medrl generate\` and \`medrl eval\` when no \`model.path\` is configured: small enough to train
and run on two CPU cores, large enough to answer in the corpus's format, on topic.

**A demonstration model, not a medical resource.** It imitates its corpus, including the flawed answers
the corpus contains on purpose (data/DATA_CARD.md): reinforcement learning with the composed reward is
what corrects them, and that is what the main job shows. Never use it to answer patients.

## Reproduce

\`\`\`sh
${command}          # medrl prepare, then medrl sft --from-scratch --config tools/embedded-model.config.ts, then this card
\`\`\`

Deterministic given the same corpus (\`npm run data:generate\`), settings and backend; commit ${commit}.

## Data

\`data/raw\` prepared by \`medrl prepare\` with the repository's data settings: ${Object.entries(stats.splits ?? {})
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')} records. SFT trains on \`train\` and reports its loss on
${sft.max_eval_samples ?? 'all'} \`dev\` records; \`test\` is held out for evaluation (the main job never trains on it).

## Shape

| field | value |
|---|---|
${[
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'vocab_size',
  'max_position_embeddings',
  'rope_theta',
  'tie_word_embeddings',
]
  .map((k) => `| ${k} | ${String(config[k])} |`)
  .join('\n')}
| parameters | ${(params / 1e6).toFixed(2)}M, of which ${(embedding / 1e6).toFixed(2)}M the embedding (tied with lm_head) |

Tokenizer: Qwen3's own (tokenizer.json, chat template, control tokens), its vocabulary pruned to the
${Object.keys(tokenizerJson.model.vocab).length} tokens the corpus needs (every token Qwen3 produces on it, the
merge parts that build them and the 256 bytes, so any text still encodes) plus its ${tokenizerJson.added_tokens.length}
added tokens. On the corpus it splits text exactly as Qwen3 does (core/src/engine/tokenizer-prune.ts).

## Training

\`medrl sft\`, all weights, AdamW (β 0.9/0.999, weight decay ${sft.weight_decay}), peak learning rate
${sft.learning_rate} with ${sft.warmup_steps} warmup steps and a ${sft.lr_scheduler_type} schedule, batches of
${sft.per_device_train_batch_size} records grouped by length, ${sft.num_train_epochs} epochs, loss on answer tokens only.
${summary ? `${summary.optimizerSteps} optimizer steps in ${hours(summary.seconds)}` : ''} on ${cpus().length} CPU cores
(${cpus()[0]?.model ?? 'unknown CPU'}), TensorFlow.js ${backend ? `${backend.backend} backend, ${backend.threads} threads` : 'backend unknown'}; load ${loadavg()[0]!.toFixed(1)} when the card was written.

![loss curve](loss.svg)

| step | epoch | train loss (mean since the last eval) | dev loss |
|---:|---:|---:|---:|
${curve.map((c) => `| ${c.step} | ${c.epoch.toFixed(2)} | ${fmt(c.train)} | ${fmt(c.dev)} |`).join('\n')}

## Sample answers

Held-out \`test\` prompts, decoded as \`medrl eval\` does (temperature ${decoding.temperature}, top-k ${decoding.topK},
top-p ${decoding.topP}, seed ${decoding.seed}); unedited.

${picks
  .map(
    (p, i) =>
      `### ${p.meta.lang} · ${p.meta.risk_level}${p.meta.risk_categories?.length ? ` (${p.meta.risk_categories.join(', ')})` : ''}\n\n> ${p.prompt.replace(/\n/g, '\n> ')}\n\n\`\`\`text\n${answers[i]!.text.trim()}\n\`\`\``,
  )
  .join('\n\n')}

## License

Apache-2.0, like medrl. The corpus was written for this project (data/DATA_CARD.md).
`;

await writeDirAtomic(values.out, async (dir) => {
  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) {
    await cp(path.join(finalDir, file), path.join(dir, file));
  }
  await writeFile(path.join(dir, 'loss.svg'), svg);
  await writeFile(path.join(dir, 'README.md'), card);
  await writeFile(
    path.join(dir, 'training.json'),
    `${JSON.stringify({ command, commit, sft, model: run.config.model, summary, prepareSeconds, backend, curve }, null, 2)}\n`,
  );
});
console.log(`wrote ${values.out}`);
