import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../../cli/base-command.js';
import type { ConfigFormat } from '../../init/project.js';

export default class Init extends MedrlCommand {
  static override summary = 'Write a starter medrl.config; `medrl init plugin` scaffolds a plugin package.';
  static override description =
    "Write a starter medrl.config (the seed pipeline's reward with the built-in plugins). `medrl init plugin` scaffolds a plugin package.";
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --format yaml --dir my-project'];
  static override flags = {
    format: Flags.string({ options: ['ts', 'json', 'yaml'], default: 'ts', description: 'config file format' }),
    dir: Flags.string({ default: '.', description: 'project directory', helpValue: '<dir>' }),
  };

  async run(): Promise<{ file: string }> {
    const { flags } = await this.parse(Init);
    const { initProject } = await import('../../init/project.js');
    const file = await initProject(path.resolve(flags.dir), flags.format as ConfigFormat);
    if (!this.jsonEnabled()) this.log(`wrote ${file}; check it with: medrl config --check`);
    return { file };
  }
}
