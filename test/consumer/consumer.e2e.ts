/**
 * medrl as someone else's project meets it (issue 16): `npm run pack` writes one tarball per published
 * workspace; projects in a temporary folder outside this repository install them with npm and use
 * them through the commands that `medrl init` and `medrl init plugin` print.
 *
 *   1. an app installs every tarball: `npx medrl init`, its printed check, `medrl reward` on a small
 *      JSONL, `medrl train --steps 2` from the embedded model;
 *   2. `medrl init plugin` scaffolds a plugin whose printed command (install, build, test) passes; the
 *      app installs the plugin's own tarball and loads it by its short name;
 *   3. a reward-server deployment installs only @medrl/serve and @medrl/plugin-rules: no @tensorflow in
 *      its node_modules, and its server answers /get_reward (skipped while @medrl/serve is not a
 *      workspace).
 *
 * Run by `npm run test:consumer` (.ci/run runs it after `npm test`); it needs the npm registry for the
 * third-party dependencies.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardBreakdown } from '@medrl/sdk';
import { workspaces, type Manifest } from '../../tools/pack.js';
import { untilListening } from '../helpers/server.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: no MEDRL_* settings, no judge key, nothing that `npm run` adds
 * (npm_* variables, this repository's node_modules/.bin on PATH).
 */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([k]) => !/^(MEDRL_|DEEPSEEK_|npm_|INIT_CWD$)/i.test(k))
    .map(([k, v]) => [
      k,
      k === 'PATH'
        ? v!
            .split(path.delimiter)
            .filter((p) => !path.resolve(p).startsWith(repoRoot))
            .join(path.delimiter)
        : v,
    ]),
);
// Plain output to match on (vitest, npm), whatever the parent forces.
delete env.FORCE_COLOR;
Object.assign(env, {
  NO_COLOR: '1',
  npm_config_color: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});

const children = new Set<ReturnType<typeof spawn>>();

/** Runs `command` (a shell line, as a user types it) in `cwd`; never throws. */
function sh(command: string, cwd: string, timeoutMs = 600_000): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Expects exit code 0, showing the output otherwise. */
function ok(result: Result): Result {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RewardBreakdown);

/** The command printed after `prefix` on a line of `stdout`. */
function printed(stdout: string, prefix: RegExp): string {
  const match = new RegExp(`^\\s*${prefix.source}\\s*(.+)$`, 'm').exec(stdout);
  expect(match, `no line matching ${prefix} in:\n${stdout}`).not.toBeNull();
  return match![1]!.trim();
}

const published = workspaces().filter((w) => !w.private);
/** The workspace that ships the `medrl` bin (today @medrl/core; the CLI package `medrl` after the split). */
const cli = published.find((w) => typeof w.bin === 'object' && 'medrl' in w.bin);
const serveWorkspace = published.find((w) => w.name === '@medrl/serve');
/** The CLI as its own package `medrl`, which depends on the rest (the split of issue 16). */
const cliPackage = published.find((w) => w.name === 'medrl');
// Both are workspaces since the split of core (issue 16): their absence is a failure, not a skip.
if (!cliPackage || !serveWorkspace)
  throw new Error('test/consumer: the workspaces "medrl" and "@medrl/serve" must exist');
const tarballName = (w: Manifest) => `${w.name.replace(/^@/, '').replace('/', '-')}-${w.version}.tgz`;

const QUESTIONS = {
  chest: '胸口疼得厉害，还出冷汗，怎么办？',
  cold: 'I have a mild cold, what should I do?',
};

/** Answers to score: a referral, dangerous advice (both to a critical-risk question) and a low-risk answer. */
const ANSWERS = [
  {
    id: 'referral',
    prompt: QUESTIONS.chest,
    completion:
      '<think>胸痛伴冷汗，要先排除急性心梗。</think>我理解你的担心。这可能是心脏问题，请立即拨打120或尽快去急诊，不要自己开车。',
    meta: { risk_level: 'critical', lang: 'zh' },
  },
  {
    id: 'dismissive',
    prompt: QUESTIONS.chest,
    completion: '没事，不需要就医，多喝热水就好。',
    meta: { risk_level: 'critical', lang: 'zh' },
  },
  {
    id: 'cold',
    prompt: QUESTIONS.cold,
    completion: '<think>A mild cold resolves by itself.</think>Rest, drink fluids, and see a doctor if a fever lasts.',
    meta: { risk_level: 'low', lang: 'en' },
  },
]
  .map((l) => JSON.stringify(l))
  .join('\n');

let packDir: string;
let root: string;
let app: string;

beforeAll(async () => {
  packDir = tempDir('medrl-consumer-packages-');
  root = realpathSync(tempDir('medrl-consumer-'));
  expect(path.relative(repoRoot, root).startsWith('..'), `${root} must be outside ${repoRoot}`).toBe(true);

  // As a user of this repository would: the pack script with a destination folder.
  const pack = ok(await sh(`npm run --silent pack -- ${packDir}`, repoRoot));
  expect(readdirSync(packDir).sort()).toEqual(published.map(tarballName).sort());
  expect(pack.stdout).toContain(`${published.length} packages in ${packDir}`);

  app = writeTree(path.join(root, 'app'), {
    'package.json': JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, type: 'module' }),
  });
  // The documented tarball route: every tarball of the folder.
  ok(await sh(`npm i ${path.join(packDir, '*.tgz')}`, app));
}, 900_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * `medrl train --steps 2` (PPO, 2 rollouts of 8 tokens a step) in the project `dir`, from the embedded
 * model: with processed data and RL prompts in place, the main job only copies that model first.
 */
async function trainTwoSteps(dir: string): Promise<void> {
  const records = Array.from({ length: 4 }, (_, i) =>
    JSON.stringify({
      id: `r${i}`,
      instruction: i % 2 ? QUESTIONS.cold : QUESTIONS.chest,
      input: '',
      output: '<think>先判断风险。</think>建议尽快就医。',
      meta: { risk_level: i % 2 ? 'low' : 'critical' },
    }),
  );
  const prompts = Array.from({ length: 4 }, (_, i) =>
    JSON.stringify({ id: `p${i}`, prompt: i % 2 ? QUESTIONS.cold : QUESTIONS.chest }),
  );
  // With processed data and RL prompts in place, the main job only copies the embedded model.
  writeTree(dir, {
    'data/processed/train.jsonl': records.join('\n') + '\n',
    'data/rl/training_prompts.jsonl': prompts.join('\n') + '\n',
  });
  const train = ok(
    await sh(
      'npx medrl train --algo ppo --steps 2 --batch-size 2 --mini-batch-size 2 --max-new-tokens 8 --no-final-eval --progress log --json',
      dir,
    ),
  );
  const result = JSON.parse(train.stdout);
  expect(result.stages.map((s: { stage: string }) => s.stage)).toEqual(['start-model']);
  expect(result.train).toMatchObject({ algo: 'ppo', reason: 'finished', steps: 2, totalSteps: 2 });
  const rl = path.join(dir, 'models/rl');
  expect(existsSync(path.join(rl, 'checkpoints/final_rl_model/model.safetensors'))).toBe(true);
  // The default logger (output.report_to: tensorboard) wrote its event file.
  expect(readdirSync(path.join(rl, 'tensorboard')).some((n) => n.startsWith('events.out.tfevents.'))).toBe(true);
  const metrics = readFileSync(path.join(rl, 'metrics.jsonl'), 'utf8').trim().split('\n');
  expect(metrics).toHaveLength(2);
  for (const row of metrics.map((l) => JSON.parse(l) as Record<string, number>)) {
    const reward = row['env/reward_mean'] ?? row['rewards/mean'];
    expect(reward, JSON.stringify(row)).toBeGreaterThanOrEqual(-1);
    expect(reward).toBeLessThanOrEqual(1);
  }
}

describe('an app that installs the tarballs', () => {
  it('has the medrl bin from the CLI package', async () => {
    expect(cli, 'a published workspace ships the medrl bin').toBeDefined();
    expect(existsSync(path.join(app, 'node_modules/.bin/medrl'))).toBe(true);
    const version = ok(await sh('npx medrl --version', app));
    expect(version.stdout).toMatch(new RegExp(`^medrl/${cli!.version.replace(/\./g, '\\.')} `));
  });

  it('npx medrl init writes a config whose printed check passes', async () => {
    const init = ok(await sh('npx medrl init', app));
    expect(init.stdout).toContain(`wrote ${path.join(app, 'medrl.config.ts')}`);
    // Every package the config imports is installed: nothing to install first.
    expect(init.stdout).not.toMatch(/install them first/);
    const check = printed(init.stdout, /check it with:/);
    expect(check).toBe('npx medrl config --check');
    ok(await sh(check, app));

    const config = JSON.parse(ok(await sh('npx medrl config --check --json', app)).stdout);
    expect(config.configFile).toBe(path.join(app, 'medrl.config.ts'));
    expect(config.check.components).toEqual(
      expect.arrayContaining(['rules/format', 'rules/length', 'rules/keyword', 'rules/safety', 'judge']),
    );
    expect(config.reward.components.map((c: { use: string; weight: number }) => [c.use, c.weight])).toEqual([
      ['rules/format', 0.1],
      ['rules/length', 0.1],
      ['rules/keyword', 0.1],
      ['rules/safety', 0.3],
      ['judge', 0.4],
    ]);
  });

  it('medrl reward scores a small JSONL with the seed reward', async () => {
    writeTree(app, { 'answers.jsonl': ANSWERS });
    const run = ok(await sh('npx medrl reward --input answers.jsonl --out scored.jsonl --json', app));
    expect(JSON.parse(run.stdout)).toMatchObject({ scored: 3, failed: 0 });
    const scored = readJsonl(path.join(app, 'scored.jsonl'));
    expect(scored.map((b) => b.id)).toEqual(['referral', 'dismissive', 'cold']);
    for (const b of scored) {
      expect(b.total).toBeGreaterThanOrEqual(-1);
      expect(b.total).toBeLessThanOrEqual(1);
      expect(Object.keys(b.components)).toEqual(expect.arrayContaining(['rules/format', 'rules/safety', 'judge']));
    }
    const [referral, dismissive] = scored;
    // The safe referral beats the dangerous advice on safety and in total.
    expect(referral!.components['rules/safety']!.raw).toBeGreaterThan(dismissive!.components['rules/safety']!.raw!);
    expect(referral!.total!).toBeGreaterThan(dismissive!.total!);
  });

  it('medrl train --steps 2 trains from the embedded model', () => trainTwoSteps(app));
});

describe('a plugin scaffolded by medrl init plugin', () => {
  let pluginDir: string;

  it('installs, builds and passes its tests with the printed command', async () => {
    const init = ok(await sh(`npx medrl init plugin demo --dir ${root}`, app));
    pluginDir = path.join(root, 'medrl-plugin-demo');
    expect(init.stdout).toContain(`created medrl-plugin-demo in ${pluginDir}`);
    const pkg = JSON.parse(readFileSync(path.join(pluginDir, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies['@medrl/sdk']).toMatch(/^\^0\./);
    if (/not on the npm registry yet/.test(init.stdout)) {
      // Until @medrl/sdk is published, the scaffold carries it as a tarball packed from the app's copy.
      expect(pkg.devDependencies['@medrl/sdk']).toMatch(/^file:vendor\/medrl-sdk-\d+\.\d+\.\d+\.tgz$/);
      expect(existsSync(path.join(pluginDir, pkg.devDependencies['@medrl/sdk'].slice('file:'.length)))).toBe(true);
    } else {
      expect(pkg.devDependencies['@medrl/sdk']).toMatch(/^\^0\./);
    }

    const next = printed(init.stdout, /next:/);
    expect(next).toBe(`cd ${pluginDir} && npm install && npm run build && npm test`);
    const run = ok(await sh(next, root));
    expect(run.stdout).toMatch(/Tests\s+\d+ passed \(\d+\)/);
    expect(run.stdout).not.toMatch(/failed/i);
    expect(existsSync(path.join(pluginDir, 'dist/index.js'))).toBe(true);
  });

  it('loads by its short name once the app installs its tarball', async () => {
    expect(pluginDir, 'the scaffold test ran').toBeDefined();
    const pack = ok(await sh('npm pack --silent', pluginDir));
    const tarball = path.join(pluginDir, pack.stdout.trim().split('\n').pop()!);
    ok(await sh(`npm i ${tarball}`, app));
    writeTree(app, {
      'demo.config.json': JSON.stringify({
        plugins: [['demo', { phrases: ['see a doctor', '120'] }]],
        reward: { components: [{ use: 'demo', weight: 1 }], clip: null },
      }),
    });
    const plugins = JSON.parse(ok(await sh('npx medrl plugins --config demo.config.json --json', app)).stdout);
    const demo = plugins.plugins.find((p: { name: string }) => p.name === 'demo');
    expect(demo, JSON.stringify(plugins)).toMatchObject({ rewards: ['demo'] });
    // `<specifier> (<file>)`: found by its short name, in the app's node_modules.
    const [, spec, file] = /^(\S+) \((.+)\)$/.exec(demo.source)!;
    expect(spec).toBe('demo');
    expect(realpathSync(file!)).toContain(path.join(app, 'node_modules', 'medrl-plugin-demo'));

    ok(await sh('npx medrl reward --config demo.config.json --input answers.jsonl --out demo.jsonl', app));
    // referral: "120" only (1/2); dismissive: neither (0); cold: "see a doctor" only (1/2).
    expect(readJsonl(path.join(app, 'demo.jsonl')).map((b) => b.total)).toEqual([0.5, 0, 0.5]);
  });
});

/**
 * A project at `root/<name>` that installs only `direct` (tarballs), the way the registry would give
 * them once published: every other @medrl/* package they need comes from its tarball through
 * `overrides` (npm refuses an override of a direct dependency, so those are left out).
 */
async function projectWith(name: string, direct: Manifest[], files: Record<string, string> = {}): Promise<string> {
  const overrides = Object.fromEntries(
    published
      .filter((w) => w.name.startsWith('@medrl/') && !direct.some((d) => d.name === w.name))
      .map((w) => [w.name, `file:${path.join(packDir, tarballName(w))}`]),
  );
  const dir = writeTree(path.join(root, name), {
    'package.json': JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', overrides }, null, 2),
    ...files,
  });
  ok(await sh(`npm i ${direct.map((w) => path.join(packDir, tarballName(w))).join(' ')}`, dir));
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  expect(Object.keys(manifest.dependencies).sort()).toEqual(direct.map((w) => w.name).sort());
  return dir;
}

describe('a project that installs only the CLI package medrl', () => {
  it('runs the config medrl init writes, rewards and trains with what the CLI brings', async () => {
    const dir = await projectWith('cli-only', [cliPackage!]);
    const init = ok(await sh('npx medrl init', dir));
    const check = printed(init.stdout, /check it with:/);
    expect(check).toBe('npx medrl config --check');
    ok(await sh(check, dir));
    writeTree(dir, { 'answers.jsonl': ANSWERS });
    ok(await sh('npx medrl reward --input answers.jsonl --out scored.jsonl', dir));
    expect(readJsonl(path.join(dir, 'scored.jsonl')).map((b) => b.id)).toEqual(['referral', 'dismissive', 'cold']);
    // The default loggers (report_to) and checkpoint writers come with the CLI too.
    await trainTwoSteps(dir);
  });
});

describe('a reward-server deployment: @medrl/serve and @medrl/plugin-rules only', () => {
  it('has no @tensorflow in node_modules and answers /get_reward', async () => {
    // Written for the split of issue 16: @medrl/serve's bin `medrl-serve` takes --port 0 and prints
    // "listening on <url>" on stderr, as `medrl serve` does.
    const rules = published.find((w) => w.name === '@medrl/plugin-rules')!;
    const server = await projectWith('reward-server', [serveWorkspace!, rules], {
      'medrl.config.json': JSON.stringify({
        plugins: ['rules'],
        reward: {
          components: [
            { use: 'rules/format', weight: 0.5 },
            { use: 'rules/safety', weight: 0.5 },
          ],
        },
      }),
    });
    expect(existsSync(path.join(server, 'node_modules/@tensorflow'))).toBe(false);
    expect(existsSync(path.join(server, 'node_modules/@medrl/engine'))).toBe(false);

    const child = spawn(path.join(server, 'node_modules/.bin/medrl-serve'), ['--port', '0'], {
      cwd: server,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    const { url, exited } = await untilListening(child, 'medrl-serve');
    try {
      const chat = (question: string, answer: string) =>
        `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n${answer}<|im_end|>`;
      const res = await fetch(`${url}/get_reward`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: [
            chat(QUESTIONS.chest, '<think>可能是心梗。</think>请立即拨打120，尽快去急诊。'),
            chat(QUESTIONS.chest, '没事，不需要就医。'),
          ],
          labels: [{ risk_level: 'critical' }, { risk_level: 'critical' }],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rewards: number[]; scores: number[]; extra_logs: Record<string, number[]> };
      expect(body.rewards).toHaveLength(2);
      for (const r of body.rewards) {
        expect(r).toBeGreaterThanOrEqual(-1);
        expect(r).toBeLessThanOrEqual(1);
      }
      expect(body.rewards[0]).toBeGreaterThan(body.rewards[1]!);
      expect(Object.keys(body.extra_logs)).toEqual(expect.arrayContaining(['rules/format', 'rules/safety']));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
