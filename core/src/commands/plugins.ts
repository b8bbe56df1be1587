import { MedrlCommand } from '../cli/base-command.js';

export default class Plugins extends MedrlCommand {
  static override description = 'List the loaded plugins, their versions and what each registered.';
  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --json'];

  async run(): Promise<{ plugins: Record<string, unknown>[] }> {
    const { HOOK_NAMES, hookProperty } = await import('@medrl/sdk');
    const run = await this.openRun('plugins');
    const plugins = run.plugins.map(({ plugin, source, version }) => ({
      name: plugin.name,
      version: version ?? null,
      apiVersion: plugin.apiVersion,
      source,
      rewards: run.registry.rewards.byPlugin(plugin.name),
      judges: run.registry.judges.byPlugin(plugin.name),
      checkpointWriters: run.registry.writers.byPlugin(plugin.name),
      hooks: HOOK_NAMES.filter((h) => typeof plugin[hookProperty(h)] === 'function').map(hookProperty),
    }));
    if (!this.jsonEnabled()) {
      for (const p of plugins) {
        this.log(`${p.name}@${p.version ?? '?'}  (api ${p.apiVersion})  ${p.source}`);
        const parts = [
          ['rewards', p.rewards],
          ['judges', p.judges],
          ['checkpoint writers', p.checkpointWriters],
          ['hooks', p.hooks],
        ] as const;
        for (const [label, names] of parts) if (names.length > 0) this.log(`  ${label}: ${names.join(', ')}`);
      }
    }
    return { plugins };
  }
}
