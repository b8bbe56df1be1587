import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../../cli/base-command.js';
import type { ConfigFormat } from '../../init/project.js';

export default class Init extends MedrlCommand {
  static override summary = 'Write a starter medrl.config; `medrl init plugin` scaffolds a plugin package.';
  static override description =
    "Write a starter medrl.config (the seed pipeline's reward with the built-in plugins). A TypeScript config imports " +
    'its plugins: when the project cannot resolve them, the first command printed installs them. ' +
    '`medrl init plugin` scaffolds a plugin package.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --format yaml --dir my-project'];
  static override flags = {
    format: Flags.string({ options: ['ts', 'json', 'yaml'], default: 'ts', description: 'config file format' }),
    dir: Flags.string({ default: '.', description: 'project directory', helpValue: '<dir>' }),
  };

  async run(): Promise<{ file: string; install?: string; check: string }> {
    const { flags } = await this.parse(Init);
    const { initProject, nextCommands } = await import('../../init/project.js');
    const dir = path.resolve(flags.dir);
    const file = await initProject(dir, flags.format as ConfigFormat);
    const next = await nextCommands(dir, await readFile(file, 'utf8'));
    if (!this.jsonEnabled()) {
      this.log(`wrote ${file}`);
      if (next.install) {
        this.log('it imports packages this project does not have yet; install them first:');
        this.log(`  ${next.install}`);
        this.log(`then check it with: ${next.check}`);
      } else {
        this.log(`check it with: ${next.check}`);
      }
    }
    return { file, ...next };
  }
}
