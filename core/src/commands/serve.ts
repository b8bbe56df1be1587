import cluster from 'node:cluster';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';

export default class Serve extends MedrlCommand {
  static override summary = "Serve the composed reward over HTTP (OpenRLHF's remote reward API and /v1/reward).";
  static override description =
    "Serve the composed reward over HTTP: OpenRLHF's remote reward API (POST /get_reward), medrl's POST /v1/reward, " +
    'GET /healthz and GET /metrics. Binds 127.0.0.1 unless told otherwise; set MEDRL_SERVE_TOKEN to require a bearer token. ' +
    'Stops on SIGINT/SIGTERM after finishing in-flight requests.';
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --config medrl.config.ts --port 8000',
    'MEDRL_SERVE_TOKEN=$(openssl rand -hex 32) <%= config.bin %> serve --host 0.0.0.0 --workers 2',
  ];
  // A long-running server: there is no single JSON result to print.
  static override enableJsonFlag = false;
  static override flags = {
    host: Flags.string({ description: 'interface to bind [default: serve.host, 127.0.0.1]', helpValue: '<address>' }),
    port: Flags.integer({
      min: 0,
      max: 65535,
      description: 'TCP port, 0 for any free one [default: serve.port, 8000]',
    }),
    workers: Flags.integer({
      min: 1,
      max: 64,
      description: 'worker processes sharing the port (node:cluster) [default: serve.workers, 1]',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const [{ loadConfig }, { serveRun, superviseWorkers }] = await Promise.all([
      import('../config/load.js'),
      import('../serve/serve-run.js'),
    ]);
    const overrides = { serve: { host: flags.host, port: flags.port, workers: flags.workers } };
    if (cluster.isPrimary) {
      // The primary of several workers only supervises: it reads the config but loads no plugins.
      const { config } = await loadConfig({ configPath: flags.config, overrides });
      if (config.serve.workers > 1) return superviseWorkers(config.serve);
    }
    const run = await this.openRun('serve', overrides);
    await serveRun(run);
  }
}
