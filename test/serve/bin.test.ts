/**
 * `medrl-serve`, @medrl/serve's own bin (the built one, as a deployment without the CLI runs it):
 * a project naming @medrl/plugin-rules by its short name and no preset, a real /get_reward, a
 * clean exit on SIGTERM; --help, and errors a user can cause.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { untilListening } from '../helpers/server.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const bin = path.join(repoRoot, 'core/serve/bin/medrl-serve.js');
const env = { ...process.env, MEDRL_LOG_LEVEL: 'info' };
const chat = (question: string, answer: string) =>
  `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n${answer}<|im_end|>`;

describe('medrl-serve', () => {
  it('serves the configured reward without the CLI and stops cleanly on SIGTERM', async () => {
    const dir = writeTree(tempDir(), {
      'medrl.config.json': JSON.stringify({
        plugins: ['rules'],
        reward: {
          components: [
            { use: 'rules/format', weight: 0.5 },
            { use: 'rules/safety', weight: 0.5 },
          ],
        },
        serve: { threads: 0 },
      }),
    });
    const child = spawn(process.execPath, [bin, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const { url, exited } = await untilListening(child, 'medrl-serve');
    try {
      const res = await fetch(`${url}/get_reward`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: [
            chat('胸口剧痛怎么办？', '<think>可能是心梗。</think>请立即拨打120，尽快去急诊。'),
            chat('胸口剧痛怎么办？', '没事，不需要就医。'),
          ],
          labels: [{ risk_level: 'critical' }, { risk_level: 'critical' }],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rewards: number[]; extra_logs: Record<string, number[]> };
      expect(body.rewards).toHaveLength(2);
      expect(body.rewards[0]).toBeGreaterThan(body.rewards[1]!);
      expect(Object.keys(body.extra_logs)).toEqual(expect.arrayContaining(['rules/format', 'rules/safety']));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('--help prints the usage; an unknown flag and a config without components are errors that say what to fix', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: medrl-serve [--config <file>]');

    const bad = spawnSync(process.execPath, [bin, '--prot', '1'], { encoding: 'utf8', cwd: tempDir() });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*--prot/);

    // No preset here: a config that names no component cannot be served.
    const empty = writeTree(tempDir(), { 'medrl.config.json': JSON.stringify({ plugins: ['rules'] }) });
    const none = spawnSync(process.execPath, [bin, '--port', '0'], { encoding: 'utf8', cwd: empty, env });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('reward.components is empty');
  });
});
