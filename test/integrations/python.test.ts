/**
 * The Python integrations (integrations/verl, integrations/openrlhf) against a real `medrl serve`:
 * the built `medrl` bin (npm test builds first) on 127.0.0.1 with a free port, once with a bearer
 * token and once without, and Python's unittest suites of test/integrations/python/ (standard
 * library only) run against each.
 *
 * Without python3 the suite fails under CI=true and is skipped, with a message, elsewhere.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { medrlBin } from '../helpers/cli.js';
import { untilListening } from '../helpers/server.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const PYTHON = process.env.MEDRL_TEST_PYTHON || 'python3';
const TOKEN = 'integration-token-7d41c2b9e8';
const suites = path.join(repoRoot, 'test/integrations/python');

const probe = spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
const pythonVersion = probe.status === 0 ? probe.stdout.trim() : undefined;
const inCi = !!process.env.CI && process.env.CI !== 'false';
if (!pythonVersion && !inCi) {
  console.warn(`test/integrations: skipping the Python integration tests: \`${PYTHON}\` is not available`);
}

/**
 * The test server's reward, whose totals test/integrations/python/medrl_testing.py computes by hand:
 * answer length / 20 (capped at 1), "careful" (high or critical risk must mention 120; no score
 * without a risk level) and "reference found" (no score without a reference), and a gate.
 */
const PLUGIN = `export default () => ({
  name: 'integration-test-reward', apiVersion: '1.0',
  setup(api) {
    api.registerReward({ name: 'answer/length', async score(rollouts) {
      return rollouts.map((r) => ({ value: Math.min(1, r.answer.length / 20), reasons: ['length/measured'] }));
    } });
    api.registerReward({ name: 'risk/careful', async score(rollouts) {
      return rollouts.map((r) => {
        const level = r.meta.risk_level;
        if (!level) return null;
        return { value: level === 'high' || level === 'critical' ? (r.answer.includes('120') ? 1 : 0) : 1 };
      });
    } });
    api.registerReward({ name: 'reference/found', async score(rollouts) {
      return rollouts.map((r) => (r.meta.reference ? { value: r.answer.includes(r.meta.reference) ? 1 : 0 } : null));
    } });
  },
});`;

function project(): string {
  return writeTree(tempDir('medrl-integrations-'), {
    'medrl.config.json': JSON.stringify({
      plugins: ['./integration-test-reward.mjs'],
      reward: {
        components: [
          { use: 'answer/length', weight: 0.2 },
          { use: 'risk/careful', weight: 0.5 },
          { use: 'reference/found', weight: 0.3 },
        ],
        clip: null,
        gates: [{ component: 'risk/careful', op: 'lt', value: 0.5, total: -1, name: 'unsafe' }],
      },
    }),
    'integration-test-reward.mjs': PLUGIN,
  });
}

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

/** `medrl serve --port 0` in `dir`; resolves once it prints where it listens. */
async function serve(dir: string, env: NodeJS.ProcessEnv): Promise<Served> {
  // The built bin rather than the sources through tsx: it starts in half the time.
  // No token unless `env` sets one: the variable is removed, since an empty one refuses to start (issue 17).
  const { MEDRL_SERVE_TOKEN: _unused, ...inherited } = process.env;
  const child = spawn(process.execPath, [medrlBin, 'serve', '--port', '0'], {
    cwd: dir,
    env: { ...inherited, MEDRL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const { url, exited } = await untilListening(child, 'medrl serve');
  return { child, url, exited };
}

interface PythonRun {
  code: number | null;
  output: string;
}

/** Runs the unittest suites against `url`; killed after `timeoutMs` so that nothing outlives the test. */
function runSuites(url: string, token: string, timeoutMs = 60_000): Promise<PythonRun> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-m', 'unittest', 'discover', '-s', suites, '-t', suites, '-v'], {
      cwd: suites,
      env: { ...process.env, MEDRL_TEST_URL: url, MEDRL_TEST_TOKEN: token, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Names of the tests unittest reports with a given outcome (`ok`, `skipped ...`). */
function outcomes(output: string, outcome: RegExp): string[] {
  return [...output.matchAll(/^(test_\w+) \(([\w.]+)\)[^\n]*? \.\.\. (.*)$/gm)]
    .filter((m) => outcome.test(m[3]!))
    .map((m) => m[1]!);
}

describe.runIf(!pythonVersion && inCi)('Python integrations (python3 missing)', () => {
  it('needs python3 under CI', () => {
    throw new Error(`\`${PYTHON}\` is not available: CI must run the Python integration tests (install python3)`);
  });
});

// The two Python runs mostly wait (timeouts, backoff), so they run side by side.
describe.skipIf(!pythonVersion).concurrent('Python integrations against medrl serve', () => {
  let withToken: Served;
  let withoutToken: Served;

  beforeAll(async () => {
    [withToken, withoutToken] = await Promise.all([
      serve(project(), { MEDRL_SERVE_TOKEN: TOKEN }),
      serve(project(), {}),
    ]);
  });

  afterAll(async () => {
    for (const server of [withToken, withoutToken]) {
      if (!server) continue;
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('pass with a token-protected server, including the token tests', async () => {
    const run = await runSuites(withToken.url, TOKEN);
    expect(run.output).toMatch(/^OK/m);
    expect(run.code).toBe(0);
    expect(Number(/^Ran (\d+) tests/m.exec(run.output)?.[1])).toBeGreaterThanOrEqual(30);
    expect(outcomes(run.output, /^skipped/)).toEqual([]);
    expect(run.output).not.toContain(TOKEN);
  });

  it('pass with a server without token; only the token tests skip', async () => {
    const run = await runSuites(withoutToken.url, '');
    expect(run.output).toMatch(/^OK \(skipped=2\)/m);
    expect(run.code).toBe(0);
    expect(outcomes(run.output, /^skipped 'the server has no token'$/).sort()).toEqual([
      'test_a_missing_or_wrong_token_is_a_clear_error',
      'test_a_missing_or_wrong_token_is_a_clear_error',
    ]);
  });

  it('run on this python (3.8+ is supported)', () => {
    const [major, minor] = pythonVersion!.split('.').map(Number);
    expect(major === 3 && minor! >= 8).toBe(true);
  });
});

describe('the integration files', () => {
  const INTEGRATIONS = ['integrations/verl/medrl_reward.py', 'integrations/openrlhf/medrl_reward_func.py'];
  const CLIENT = 'integrations/medrl_client.py';
  const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
  /** Top-level module names a Python file imports. */
  const imported = (file: string) => [...read(file).matchAll(/^\s*(?:import|from) (\w+)/gm)].map((m) => m[1]!);

  it('share one HTTP client module instead of each carrying a copy', () => {
    expect(read(CLIENT)).toContain('def post_json(settings, route, payload):');
    for (const file of INTEGRATIONS) {
      expect(read(file), file).toMatch(/^from medrl_client import MedrlRewardError, Settings, .*post_batches/m);
      expect(read(file), file).not.toMatch(/def post_json|class Settings|class MedrlRewardError/);
    }
  });

  it('import only the standard library (and torch where OpenRLHF has it, optionally)', () => {
    const stdlib = [
      '__future__',
      'concurrent',
      'http',
      'json',
      'logging',
      'os',
      'random',
      'socket',
      'sys',
      'time',
      'urllib',
    ];
    expect(imported(CLIENT).filter((name) => !stdlib.includes(name))).toEqual([]);
    for (const file of INTEGRATIONS) {
      expect(
        imported(file).filter((name) => !stdlib.includes(name) && name !== 'medrl_client'),
        file,
      ).toEqual(file.includes('openrlhf') ? ['torch'] : []);
    }
    // torch is imported inside a try block, so that the shim works without it.
    expect(read('integrations/openrlhf/medrl_reward_func.py')).toMatch(/try:\n\s+import torch\n\s+except ImportError:/);
  });
});
