import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';

export default class Config extends MedrlCommand {
  static override summary = 'Print the resolved configuration; --check also resolves every reward component.';
  static override description =
    'Print the resolved configuration (defaults applied, secrets redacted). With --check, also load the plugins and ' +
    'resolve every reward component and the judge, as `medrl train` would: a misspelt component fails with exit code 1, ' +
    'naming it and the registered ones.';
  static override examples = [
    '<%= config.bin %> config',
    '<%= config.bin %> config --check',
    '<%= config.bin %> config --json',
    '<%= config.bin %> config -c medrl.config.yaml',
  ];
  static override flags = {
    check: Flags.boolean({
      default: false,
      description: 'also resolve the reward components and the judge (fails on an unknown component)',
    }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(Config);
    const { redactConfig } = await import('../config/redact.js');
    const run = await this.openRun('config');
    const view: Record<string, unknown> = {
      configFile: run.configPath ?? null,
      rootDir: run.rootDir,
      ...redactConfig(run.config),
    };
    // Building the composer resolves each `reward.components[i].use` (and the judge) or throws naming it.
    const components = flags.check ? run.composer.componentNames : undefined;
    if (components) view.check = { ok: true, components };
    if (!this.jsonEnabled()) {
      this.log(JSON.stringify(view, null, 2));
      if (components)
        this.logToStderr(`config ok: ${components.length} reward component(s) resolved: ${components.join(', ')}`);
    }
    return view;
  }
}
