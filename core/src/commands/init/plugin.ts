import { createRequire } from 'node:module';
import { Args, Flags } from '@oclif/core';
import { MedrlCommand } from '../../cli/base-command.js';
import type { PluginKind } from '../../init/scaffold.js';

const sdkVersion = (createRequire(import.meta.url)('@medrl/sdk/package.json') as { version: string }).version;

export default class InitPlugin extends MedrlCommand {
  static override description =
    'Scaffold a publishable plugin package (reward or judge) with build, tests and README that pass right away.';
  static override examples = [
    '<%= config.bin %> init plugin readability',
    '<%= config.bin %> init plugin @acme/medrl-plugin-triage --kind judge --dir packages',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'name: x, medrl-plugin-x or @scope/medrl-plugin-x' }),
  };
  static override flags = {
    kind: Flags.string({ options: ['reward', 'judge'], default: 'reward', description: 'what the plugin provides' }),
    dir: Flags.string({ default: '.', description: 'parent directory of the new package', helpValue: '<parent>' }),
  };

  async run(): Promise<{ dir: string; packageName: string; files: string[] }> {
    const { args, flags } = await this.parse(InitPlugin);
    const { scaffoldPlugin } = await import('../../init/scaffold.js');
    const result = await scaffoldPlugin({
      name: args.name,
      kind: flags.kind as PluginKind,
      parentDir: flags.dir,
      sdkVersion,
    });
    if (!this.jsonEnabled()) {
      this.log(`created ${result.packageName} in ${result.dir}`);
      this.log(`next: cd ${result.dir} && npm install && npm run build && npm test`);
    }
    return result;
  }
}
