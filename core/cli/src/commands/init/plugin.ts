import { Args, Flags } from '@oclif/core';
import { MedrlCommand } from '../../cli/base-command.js';
import type { PluginKind } from '../../init/scaffold.js';

export default class InitPlugin extends MedrlCommand {
  static override description =
    'Scaffold a publishable plugin package (reward or judge) with build, tests and README that pass right away. ' +
    'Its devDependency @medrl/sdk comes from the npm registry when published there, else from a tarball in its ' +
    'vendor/ folder, packed from the @medrl/sdk this medrl runs with.';
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
    sdk: Flags.string({
      options: ['auto', 'registry', 'vendor'],
      default: 'auto',
      description:
        'where the plugin gets @medrl/sdk: the npm registry, a tarball in vendor/ packed from this medrl, or auto (the registry when it has this version)',
    }),
  };

  async run(): Promise<{ dir: string; packageName: string; files: string[]; sdkSpec: string }> {
    const { args, flags } = await this.parse(InitPlugin);
    const [{ scaffoldPlugin }, { installedPackage, onRegistry, quote }] = await Promise.all([
      import('../../init/scaffold.js'),
      import('../../init/sources.js'),
    ]);
    const sdk = installedPackage('@medrl/sdk');
    const vendor =
      flags.sdk === 'vendor' || (flags.sdk === 'auto' && !(await onRegistry('@medrl/sdk', `^${sdk.version}`)));
    const result = await scaffoldPlugin({
      name: args.name,
      kind: flags.kind as PluginKind,
      parentDir: flags.dir,
      sdk: { version: sdk.version, vendorFrom: vendor ? sdk.dir : undefined },
    });
    if (!this.jsonEnabled()) {
      this.log(`created ${result.packageName} in ${result.dir}`);
      if (vendor) {
        this.log(
          `@medrl/sdk ${sdk.version} ${flags.sdk === 'auto' ? 'is not on the npm registry yet' : 'is vendored (--sdk vendor)'}: ` +
            `the plugin installs it from ${result.sdkSpec.slice('file:'.length)}, packed from ${sdk.dir}`,
        );
      }
      this.log(`next: cd ${quote(result.dir)} && npm install && npm run build && npm test`);
    }
    return result;
  }
}
