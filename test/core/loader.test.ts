import { describe, expect, it } from 'vitest';
import { inject, medrlPlugin, TOKENS, definePlugin, type Logger, type MedrlPlugin, type PluginApi } from '@medrl/sdk';
import { openRun } from '../../core/src/runtime/run.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

const constantReward = (name: string, value: number) => ({
  name,
  score: async (rollouts: readonly unknown[]) => rollouts.map(() => ({ value })),
});

/** A project with a local plugin file and an installed npm plugin package. */
function project(): string {
  return writeTree(tempDir(), {
    'package.json': '{ "name": "proj", "type": "module" }',
    'plugins/local.js': `export default (options = {}) => ({
      name: 'local', apiVersion: '1.0',
      setup(api) { api.registerReward({ name: 'local/const', score: async (r) => r.map(() => ({ value: options.value ?? 0 })) }); },
    });`,
    'plugins/typed.ts': `interface Opts { value?: number }
      export default function typed(options: Opts = {}) {
        return { name: 'typed', apiVersion: '1.0', setup(api: any) {
          api.registerReward({ name: 'typed/const', score: async (r: unknown[]) => r.map(() => ({ value: options.value ?? 0 })) });
        } };
      }`,
    'node_modules/medrl-plugin-demo/package.json':
      '{ "name": "medrl-plugin-demo", "version": "2.3.4", "type": "module", "exports": "./index.js" }',
    'node_modules/medrl-plugin-demo/index.js': `export default (options = {}) => ({
      name: 'medrl-plugin-demo', apiVersion: '1.0',
      setup(api) { api.registerJudge({ name: 'demo-judge', judge: async (items) => items.map(() => null) });
                   api.registerReward({ name: 'demo/const', score: async (r) => r.map(() => ({ value: options.value })) }); },
    });`,
    'node_modules/medrl-plugin-future/package.json':
      '{ "name": "medrl-plugin-future", "version": "9.0.0", "main": "index.cjs" }',
    'node_modules/medrl-plugin-future/index.cjs': `module.exports = () => ({ name: 'medrl-plugin-future', apiVersion: '2.0' });`,
  });
}

describe('plugin loading', () => {
  it('loads objects, package names with options, relative paths (JS and TS), presets, and ignores falsy entries', async () => {
    const dir = project();
    const run = await openRun({
      command: 'test',
      cwd: dir,
      config: {
        plugins: [
          definePlugin({
            name: 'inline',
            apiVersion: '1.0',
            setup: (api) => api.registerReward(constantReward('inline/one', 1)),
          }),
          ['demo', { value: 7 }],
          ['./plugins/local.js', { value: 3 }],
          ['./plugins/typed.ts', { value: 5 }],
          [false, null, undefined],
          false,
        ],
        reward: { components: [{ use: 'demo/const', weight: 1 }] },
      },
    });
    try {
      expect(run.plugins.map((p) => p.plugin.name)).toEqual(['inline', 'medrl-plugin-demo', 'local', 'typed']);
      expect(run.plugins[1]!.version).toBe('2.3.4');
      expect(run.registry.rewards.names()).toEqual(['inline/one', 'demo/const', 'local/const', 'typed/const']);
      expect(run.registry.judges.byPlugin('medrl-plugin-demo')).toEqual(['demo-judge']);
      const scores = await Promise.all(
        ['demo/const', 'local/const', 'typed/const'].map((n) =>
          run.registry.rewards.get(n)!.score([{ id: 'a', prompt: '', completion: '', meta: {} }], run.context),
        ),
      );
      expect(scores.map((s) => s[0]!.value)).toEqual([7, 3, 5]);
    } finally {
      await run.close();
    }
  });

  it('lists every place it tried for an unknown name', async () => {
    const dir = project();
    const error = await openRun({ command: 'test', cwd: dir, config: { plugins: ['nothere'] } }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/cannot find plugin "nothere"/);
    expect(message).toContain('"nothere" from');
    expect(message).toContain('"medrl-plugin-nothere" from');
    expect(message).toContain('"@medrl/plugin-nothere" from');
  });

  it('lists the path it tried for a missing relative path', async () => {
    const dir = project();
    await expect(openRun({ command: 'test', cwd: dir, config: { plugins: ['./plugins/missing.js'] } })).rejects.toThrow(
      /plugins\/missing\.js/,
    );
  });

  it('rejects an incompatible apiVersion, saying which versions are supported', async () => {
    const dir = project();
    await expect(openRun({ command: 'test', cwd: dir, config: { plugins: ['future'] } })).rejects.toThrow(
      /plugin "medrl-plugin-future" \(apiVersion\): targets plugin API 2\.0, but this medrl supports plugin API 1\.0 to 1\.1/,
    );
  });

  it('names the plugin and hook when setup throws', async () => {
    const broken: MedrlPlugin = {
      name: 'broken',
      apiVersion: '1.0',
      setup() {
        throw new Error('boom');
      },
    };
    await expect(openRun({ command: 'test', config: { plugins: [broken] } })).rejects.toThrow(
      'plugin "broken" (setup): boom',
    );
  });

  it('names both plugins when two register the same reward', async () => {
    const a = definePlugin({
      name: 'a',
      apiVersion: '1.0',
      setup: (api) => api.registerReward(constantReward('same', 1)),
    });
    const b = definePlugin({
      name: 'b',
      apiVersion: '1.0',
      setup: (api) => api.registerReward(constantReward('same', 2)),
    });
    await expect(openRun({ command: 'test', config: { plugins: [a, b] } })).rejects.toThrow(
      'plugin "b" (setup): reward component "same" is already registered by plugin "a"',
    );
  });

  it('rejects a plugin listed twice and an entry of the wrong type', async () => {
    const p = definePlugin({ name: 'twice', apiVersion: '1.0' });
    await expect(openRun({ command: 'test', config: { plugins: [p, p] } })).rejects.toThrow(/listed twice/);
    await expect(openRun({ command: 'test', config: { plugins: [42 as never] } })).rejects.toThrow(
      /plugins\[0\]: expected a plugin/,
    );
  });

  it('constructs class plugins through the run container with explicit @inject tokens', async () => {
    const seen: { options?: Record<string, unknown>; root?: string } = {};

    @medrlPlugin()
    class ClassPlugin implements MedrlPlugin {
      name = 'class-plugin';
      apiVersion = '1.0';
      constructor(
        @inject(TOKENS.Logger) private readonly logger: Logger,
        @inject(TOKENS.PluginOptions) private readonly options: Record<string, unknown>,
        @inject(TOKENS.Config) private readonly config: Record<string, unknown>,
      ) {}
      setup(api: PluginApi): void {
        seen.options = this.options;
        seen.root = api.context.rootDir;
        this.logger.debug('set up');
        api.registerReward(constantReward('class/const', (this.config.reward as { clip: number[] }).clip[1]!));
      }
    }

    const dir = tempDir();
    const run = await openRun({
      command: 'test',
      cwd: dir,
      config: { plugins: [ClassPlugin], reward: { clip: [-4, 4] } },
    });
    try {
      expect(run.plugins[0]!.source).toBe('class ClassPlugin');
      expect(seen).toEqual({ options: {}, root: dir });
      expect(
        await run.registry.rewards
          .get('class/const')!
          .score([{ id: 'x', prompt: '', completion: '', meta: {} }], run.context),
      ).toEqual([{ value: 4 }]);
    } finally {
      await run.close();
    }
  });

  it('calls dispose in reverse order on close', async () => {
    const order: string[] = [];
    const mk = (name: string) => definePlugin({ name, apiVersion: '1.0', dispose: () => void order.push(name) });
    const run = await openRun({ command: 'test', config: { plugins: [mk('first'), mk('second')] } });
    await run.close();
    await run.close();
    expect(order).toEqual(['second', 'first']);
  });
});
