/** Runs the built `medrl` CLI in a child process (the repo is built by `npm test` first). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './tmp.js';

export const medrlBin = path.join(repoRoot, 'core/cli/bin/run.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runMedrl(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [medrlBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, MEDRL_LOG_LEVEL: 'info', ...options.env },
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
