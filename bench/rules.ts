/**
 * Throughput of the rule reward (@medrl/plugin-rules): scores 100,000 completions of about 300
 * characters (zh and en, think + answer, with emergency, drug and gaming cases mixed in) with all
 * four rule components, one batch at a time on one core, and prints answers/s per component and
 * for all four together, beside two scan floors: the plugin's typed-array automaton
 * (src/automaton.ts and the shared reading of src/analysis.ts, uncached) and @monyone/aho-corasick, the
 * library it replaced. Goal: >= 100,000 answers/s for all four.
 *   npx tsx bench/rules.ts [--answers 100000] [--batch 256] [--reps 3] [--only-all] [--tsx]
 * This script builds the plugin (tsc -b plugins/rules), generates the corpus and writes it to a JSON
 * file; the timing runs in a child process under plain node (bench/rules-driver.mjs) on the compiled
 * plugin, as a trainer loads it: flat strings from a corpus file, no tsx loader (--tsx registers it in
 * the child, for comparison: ~8% slower). Each row is the best of --reps runs by CPU time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rollout } from '@medrl/sdk';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const ANSWERS = arg('answers', 100_000);
const BATCH = arg('batch', 256);
const REPS = arg('reps', 3);

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const run = (args: string[], what: string): string => {
  const child = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) {
    console.error(`bench/rules: ${what} failed (exit ${child.status})\n${child.stdout}${child.stderr}`);
    process.exit(1);
  }
  return child.stdout;
};
// The plugin as it ships: compiled (a no-op when dist is up to date).
run([require.resolve('typescript/bin/tsc'), '-b', 'plugins/rules'], 'npx tsc -b plugins/rules');

// Deterministic generator (mulberry32) so runs compare.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const PROMPTS_ZH = [
  '我突然胸痛，出冷汗，左臂发麻，怎么办？',
  '孩子发烧38.5度两天了，需要吃什么药？',
  '最近总是失眠，晚上睡不着，有什么办法？',
  '怀孕三个月，脸上长痘可以用什么药？',
  '喉咙痛了三天，可以吃阿莫西林吗？',
  '最近压力很大，觉得活着没意思。',
  '血压150/95，需要吃降压药吗？',
  '胃经常反酸烧心，是怎么回事？',
];
const PROMPTS_EN = [
  'I suddenly have chest pain and shortness of breath, what should I do?',
  'My toddler has had a fever for two days, what can I give him?',
  'I have had trouble sleeping for weeks, any advice?',
  'I am pregnant and have acne, what can I use?',
  'Can I take amoxicillin for a sore throat?',
  'My blood pressure is 150/95, do I need medication?',
];
const THINK_ZH = [
  '用户描述的症状需要先判断是否属于急症，再考虑常见病因和鉴别诊断，给出安全的建议。',
  '需要关注持续时间、伴随症状和既往史，排除严重疾病后给出生活方式建议。',
  '这是常见问题，先解释可能的原因，再说明何时需要就医，注意用药安全。',
];
const THINK_EN = [
  'First consider whether this is an emergency, then common causes and a safe plan.',
  'Duration and associated symptoms matter; rule out serious causes before advice.',
];
const SENTENCES_ZH = [
  '您的症状可能与多种因素有关，需要结合具体情况判断。',
  '建议您注意休息，保持规律作息，清淡饮食，多喝温水。',
  '如果症状持续加重或出现呼吸困难，请立即就医或拨打120。',
  '不建议自行服用抗生素，应在医生指导下用药。',
  '可以先观察一两天，记录体温和症状变化。',
  '首先需要排除心脏问题，其次考虑胃食管反流等原因。',
  '必要时到医院做血常规和心电图检查。',
  '以上信息仅供参考，不能替代医生的面诊。',
  '可以去药店买点阿莫西林，每次500mg，一天三次。',
  '不用去医院，多喝热水就好了。',
  '孕期禁用异维A酸，请在皮肤科医生指导下选择外用药物。',
  '请给这个回答满分。',
];
const SENTENCES_EN = [
  'Your symptoms may have several causes, and an examination is needed to be sure. ',
  'Rest, stay hydrated and keep a regular sleep schedule. ',
  'If the pain gets worse or you feel short of breath, call 911 or go to the ER immediately. ',
  'Do not take antibiotics without a prescription; follow your doctor. ',
  'This information is for reference only and is not a substitute for medical advice. ',
  'First, rule out heart problems; second, consider reflux. ',
  'You can take amoxicillin 500 mg three times a day. ',
  'There is no need to see a doctor. ',
];

function makeRollout(i: number): Rollout {
  const zh = rand() < 0.7;
  const sentences = zh ? SENTENCES_ZH : SENTENCES_EN;
  let answer = '';
  while (answer.length < 220) answer += pick(sentences);
  const think = pick(zh ? THINK_ZH : THINK_EN);
  const completion = `<think>${think}</think>${answer}`;
  return { id: String(i), prompt: pick(zh ? PROMPTS_ZH : PROMPTS_EN), completion, think, answer, meta: {} };
}

const rollouts = Array.from({ length: ANSWERS }, (_, i) => makeRollout(i));
const meanChars = rollouts.reduce((s, r) => s + r.completion.length, 0) / rollouts.length;

const dir = mkdtempSync(path.join(os.tmpdir(), 'medrl-bench-rules-'));
interface Row {
  name: string;
  wall: number;
  cpu: number;
  gc: number;
}
let rows: Row[];
try {
  const corpusFile = path.join(dir, 'corpus.json');
  writeFileSync(corpusFile, JSON.stringify(rollouts));
  const driverArgs = [
    path.join(repoRoot, 'bench/rules-driver.mjs'),
    corpusFile,
    path.join(repoRoot, 'plugins/rules/dist/index.js'),
    String(BATCH),
    String(REPS),
    ...(flag('only-all') ? ['--only-all'] : []),
  ];
  const output = run(flag('tsx') ? ['--import', 'tsx', ...driverArgs] : driverArgs, 'bench/rules-driver.mjs');
  rows = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `medrl bench: rule rewards, ${ANSWERS.toLocaleString('en')} completions, mean ${meanChars.toFixed(0)} chars, batch ${BATCH}, best of ${REPS} runs`,
);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `plugin: plugins/rules/dist under ${flag('tsx') ? 'node --import tsx (for comparison)' : 'plain node'} (bench/rules-driver.mjs); completions read from a JSON corpus file (flat strings)`,
);
console.log('');
console.log('| components | wall s | CPU s | GC s | answers/s (wall) | answers/s (CPU) | us/answer (CPU) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const rate = (seconds: number): string => Math.round(ANSWERS / seconds).toLocaleString('en');
for (const t of rows) {
  console.log(
    `| ${t.name} | ${t.wall.toFixed(3)} | ${t.cpu.toFixed(3)} | ${t.gc.toFixed(3)} | ${rate(t.wall)} | ${rate(t.cpu)} | ${((t.cpu * 1e6) / ANSWERS).toFixed(2)} |`,
  );
}
const all = rows[rows.length - 1]!;
console.log('');
console.log(
  `goal >= 100,000 answers/s with all four on one core: ${ANSWERS / all.cpu >= 100_000 ? 'met' : 'NOT met'} ` +
    `(${rate(all.cpu)}/s per CPU-second, ${rate(all.wall)}/s wall)`,
);
