import { MedrlCommand } from '../cli/base-command.js';
import { redactConfig } from '../config/redact.js';

export default class Config extends MedrlCommand {
  static override description = 'Print the resolved configuration (defaults applied, secrets redacted).';
  static override examples = [
    '<%= config.bin %> config',
    '<%= config.bin %> config --json',
    '<%= config.bin %> config -c medrl.config.yaml',
  ];

  async run(): Promise<Record<string, unknown>> {
    const run = await this.openRun('config');
    const view = { configFile: run.configPath ?? null, rootDir: run.rootDir, ...redactConfig(run.config) };
    if (!this.jsonEnabled()) this.log(JSON.stringify(view, null, 2));
    return view;
  }
}
