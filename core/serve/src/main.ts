/**
 * `medrl-serve`: the reward server without the medrl CLI, for a deployment that installs only
 * @medrl/serve and its plugins (no tfjs). Same config, flags and behaviour as `medrl serve`:
 *
 *   medrl-serve [--config medrl.config.ts] [--host 127.0.0.1] [--port 8000] [--workers 1]
 *
 * The config must list its plugins and reward components (nothing is assumed; `medrl init` writes one).
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { escapeControl, loadConfig, MedrlError, openRun } from '@medrl/core';
import { serveRun, superviseWorkers } from './serve-run.js';

export const SERVE_USAGE = `Serve the composed reward over HTTP: OpenRLHF's POST /get_reward, POST /v1/reward, GET /healthz, GET /metrics.

Usage: medrl-serve [--config <file>] [--host <address>] [--port <port>] [--workers <n>]

  -c, --config   config file (default: medrl.config.* searched from the current directory)
      --host     interface to bind [default: serve.host, 127.0.0.1]
      --port     TCP port, 0 for any free one [default: serve.port, 8000]
      --workers  worker processes sharing the port [default: serve.workers, 1]
  -h, --help     show this help

Set MEDRL_SERVE_TOKEN to require a bearer token. Stops on SIGINT/SIGTERM after in-flight requests.
`;

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new MedrlError(`--${name}: expected a whole number, got "${value}"`);
  return Number(value);
}

/** Runs the server until a signal stops it. Errors a user can cause are MedrlErrors. */
export async function serveMain(argv: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new MedrlError(`${(error as Error).message}\n\n${SERVE_USAGE}`);
  }
  if (values.help) {
    process.stdout.write(SERVE_USAGE);
    return;
  }
  const configPath = values.config as string | undefined;
  const overrides = {
    serve: {
      host: values.host as string | undefined,
      port: integerFlag('port', values.port as string | undefined),
      workers: integerFlag('workers', values.workers as string | undefined),
    },
  };
  if (cluster.isPrimary) {
    // As `medrl serve`: the primary of several workers only supervises and loads no plugins.
    const { config } = await loadConfig({ configPath, overrides });
    if (config.serve.workers > 1) return superviseWorkers(config.serve);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const run = await openRun({ command: 'serve', configPath, overrides, signal: controller.signal });
  try {
    await serveRun(run);
  } finally {
    await run.close();
  }
}

/** The bin's entry: prints user errors without a stack trace and sets the exit code. */
export async function serveBin(argv: string[]): Promise<void> {
  try {
    await serveMain(argv);
  } catch (error) {
    if (!(error instanceof MedrlError)) throw error;
    process.stderr.write(`error: ${escapeControl(error.message)}\n`);
    process.exitCode = 1;
  }
}
