/**
 * `medrl init plugin`: writes a publishable plugin package (reward or judge) that builds and passes
 * its own tests right away. Names follow the discovery convention: `medrl-plugin-<name>` or
 * `@scope/medrl-plugin-<name>`, so configs can refer to it by `<name>`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { API_VERSION } from '@medrl/sdk';
import { MedrlError } from '@medrl/core';

export type PluginKind = 'reward' | 'judge';

const NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?medrl-plugin-[a-z0-9][a-z0-9._-]*$/;

/** Accepts `medrl-plugin-x`, `@scope/medrl-plugin-x`, or a bare `x` (prefixed for you). */
export function packageNameFor(name: string): string {
  const full = name.startsWith('@') || name.startsWith('medrl-plugin-') ? name : `medrl-plugin-${name}`;
  if (!NAME.test(full)) {
    throw new MedrlError(
      `invalid plugin name "${name}": use lowercase letters, digits, ".", "_" or "-", as medrl-plugin-<name> or @scope/medrl-plugin-<name>`,
    );
  }
  return full;
}

/** `@acme/medrl-plugin-foo-bar` → `foo-bar`. */
function shortName(packageName: string): string {
  return packageName.replace(/^@[^/]+\//, '').replace(/^medrl-plugin-/, '');
}

function camel(name: string): string {
  return name.replace(/[-._]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function rewardSource(short: string): string {
  return `/**
 * ${short}: a medrl reward component. Score in [0, 1]: the share of the configured phrases the
 * answer contains. Replace the scoring with your own; keep the contract (one score or null per
 * rollout, in order; reasons name the rules that fired).
 */
import { definePlugin, type RewardComponent } from '@medrl/sdk';

export interface Options {
  /** Phrases that earn points (any language). */
  phrases?: string[];
}

export function ${camel(short)}Component(options: Options = {}): RewardComponent {
  const phrases = options.phrases ?? ['see a doctor', '就医'];
  if (!Array.isArray(phrases) || phrases.length === 0) {
    throw new Error('${short}: option "phrases" must be a non-empty array of strings');
  }
  return {
    name: '${short}',
    description: 'share of configured phrases present in the answer',
    async score(rollouts) {
      return rollouts.map((rollout) => {
        const answer = (rollout.answer ?? rollout.completion).toLowerCase();
        if (answer.trim() === '') return null;
        const found = phrases.filter((p) => answer.includes(p.toLowerCase()));
        return { value: found.length / phrases.length, reasons: found.map((p) => \`${short}/found:\${p}\`) };
      });
    },
  };
}

export default function ${camel(short)}(options: Options = {}) {
  return definePlugin({
    name: '${short}',
    apiVersion: '${API_VERSION}',
    setup(api) {
      api.registerReward(${camel(short)}Component(options));
    },
  });
}
`;
}

function rewardTest(short: string): string {
  return `import { RewardTester } from '@medrl/sdk';
import { ${camel(short)}Component } from '../src/index.js';

new RewardTester().run('${short}', ${camel(short)}Component({ phrases: ['see a doctor', '就医'] }), [
  { name: 'both phrases', completion: 'Please see a doctor. 建议就医。', expect: { value: 1 } },
  { name: 'one phrase', completion: '<think>x</think>建议尽快就医', expect: { value: 0.5, reasons: ['${short}/found:就医'] } },
  { name: 'none', completion: 'Drink water.', expect: { value: 0, notReasons: ['${short}/found:就医'] } },
  { name: 'empty answer is not applicable', completion: '<think>x</think>', expect: { notApplicable: true } },
]);

describe('options', () => {
  it('rejects empty phrases', () => {
    expect(() => ${camel(short)}Component({ phrases: [] })).toThrow(/phrases/);
  });
});
`;
}

function judgeSource(short: string): string {
  return `/**
 * ${short}: a medrl judge. It scores safety, reasoning, completeness and empathy (0..10) for each
 * answer. This template is offline (length and referral heuristics); replace \`assess\` with a call
 * to your model. Return null for an item you could not judge: never invent scores.
 */
import { definePlugin, type Judge, type Judgement } from '@medrl/sdk';

export interface Options {
  /** Judge name that configs select with \`judge.use\`. */
  name?: string;
}

export function assess(answer: string): Judgement {
  const refers = /(就医|急诊|120|doctor|emergency|911)/i.test(answer);
  const detail = Math.min(10, Math.round(answer.length / 20));
  const scores = { safety: refers ? 10 : 4, reasoning: detail, completeness: detail, empathy: /(理解|担心|understand|sorry)/i.test(answer) ? 8 : 3 };
  return {
    scores,
    overall: (scores.safety + scores.reasoning + scores.completeness + scores.empathy) / 40,
    critique: refers ? 'refers to care' : 'no referral to care',
  };
}

export function ${camel(short)}Judge(options: Options = {}): Judge {
  return {
    name: options.name ?? '${short}',
    async judge(items) {
      return items.map((item) => (item.completion.trim() === '' ? null : assess(item.completion)));
    },
  };
}

export default function ${camel(short)}(options: Options = {}) {
  return definePlugin({
    name: '${short}',
    apiVersion: '${API_VERSION}',
    setup(api) {
      api.registerJudge(${camel(short)}Judge(options));
    },
  });
}
`;
}

function judgeTest(short: string): string {
  return `import { createTestContext } from '@medrl/sdk';
import { ${camel(short)}Judge } from '../src/index.js';

const ctx = createTestContext();

describe('${short} judge', () => {
  it('scores a referral as safe and a bare answer as less safe', async () => {
    const [care, bare] = await ${camel(short)}Judge().judge(
      [
        { id: 'a', prompt: '胸痛', completion: '我理解你的担心，请立即去急诊。' },
        { id: 'b', prompt: 'chest pain', completion: 'It is fine.' },
      ],
      ctx,
    );
    expect(care!.scores.safety).toBe(10);
    expect(care!.scores.empathy).toBe(8);
    expect(bare!.scores.safety).toBe(4);
  });

  it('returns null, not made-up scores, for an empty answer', async () => {
    expect(await ${camel(short)}Judge().judge([{ id: 'c', prompt: 'q', completion: '  ' }], ctx)).toEqual([null]);
  });
});
`;
}

/** The Node.js versions medrl supports (docs/getting-started.md#nodejs-versions); every package.json states it. */
export const NODE_ENGINES = '^20.19.0 || ^22.13.0 || >=24';

/**
 * Where the plugin's devDependency on @medrl/sdk comes from: the registry (`^version`), or, while the
 * sdk is not published, a tarball in the plugin's vendor/ folder packed from the installed copy.
 */
export interface SdkSource {
  version: string;
  /** Folder of the installed @medrl/sdk to pack into vendor/; unset: the registry. */
  vendorFrom?: string;
}

/** vendor/ of the scaffold: tracked in git, so that a fresh clone of the plugin installs too. */
const VENDOR_DIR = 'vendor';

/**
 * The scaffold's files. `sdkSpec` is the devDependency's spec (default `^sdkVersion`; a
 * `file:vendor/...tgz` while the sdk is not on the registry); the peer range is always `^sdkVersion`.
 */
export function scaffoldFiles(
  packageName: string,
  kind: PluginKind,
  sdkVersion: string,
  sdkSpec = `^${sdkVersion}`,
): Record<string, string> {
  const short = shortName(packageName);
  const vendored = sdkSpec.startsWith(`file:${VENDOR_DIR}/`);
  const pkg = {
    name: packageName,
    version: '0.1.0',
    description: `medrl ${kind} plugin ${short}`,
    type: 'module',
    license: 'Apache-2.0',
    keywords: ['medrl-plugin', 'medrl', kind],
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    files: ['dist', 'README.md'],
    engines: { node: NODE_ENGINES },
    scripts: { build: 'tsc -p tsconfig.json', prepack: 'tsc -p tsconfig.json', test: 'vitest run' },
    peerDependencies: { '@medrl/sdk': `^${sdkVersion}` },
    devDependencies: {
      '@medrl/sdk': sdkSpec,
      typescript: '^5.9.0',
      vitest: '^3.2.0',
      '@types/node': '^20.0.0',
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      declaration: true,
      outDir: 'dist',
      rootDir: 'src',
      skipLibCheck: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node'],
    },
    include: ['src'],
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'tsconfig.json': JSON.stringify(tsconfig, null, 2) + '\n',
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['test/**/*.test.ts'], globals: true } });\n`,
    // Only the root's tarballs (`npm pack`): vendor/ holds a dependency.
    '.gitignore': 'node_modules/\ndist/\n/*.tgz\n',
    'src/index.ts': kind === 'reward' ? rewardSource(short) : judgeSource(short),
    'test/index.test.ts': kind === 'reward' ? rewardTest(short) : judgeTest(short),
    'README.md': `# ${packageName}

A medrl ${kind} plugin.

## Use

\`\`\`sh
npm install ${packageName}
\`\`\`

In \`medrl.config.json\` (or \`.ts\`, \`.yaml\`), refer to it by its short name:

\`\`\`json
${
  kind === 'reward'
    ? `{ "plugins": [["${short}", { "phrases": ["see a doctor"] }]], "reward": { "components": [{ "use": "${short}", "weight": 0.2 }] } }`
    : `{ "plugins": [["${short}", {}]], "judge": { "use": "${short}" } }`
}
\`\`\`

## Develop

\`\`\`sh
npm install
npm run build
npm test
\`\`\`
${
  vendored
    ? `
\`@medrl/sdk\` was not on the npm registry when this plugin was made: \`npm install\` takes it from
\`${sdkSpec.slice('file:'.length)}\`, packed from the medrl that wrote this scaffold. Once it is published, run
\`npm install -D @medrl/sdk@^${sdkVersion}\` and delete \`${VENDOR_DIR}/\`.
`
    : ''
}

Plugins import only \`@medrl/sdk\` (a peer dependency). See medrl's docs/plugins.md.
`,
  };
}

/**
 * Writes the scaffold into `<parent>/<directory name>`; refuses a non-empty target. With
 * `sdk.vendorFrom`, first packs that @medrl/sdk into vendor/ (removed again if that fails).
 */
export async function scaffoldPlugin(options: {
  name: string;
  kind: PluginKind;
  parentDir: string;
  sdk: SdkSource;
}): Promise<{ dir: string; packageName: string; files: string[]; sdkSpec: string }> {
  const packageName = packageNameFor(options.name);
  const dir = path.resolve(options.parentDir, packageName.replace(/^@[^/]+\//, ''));
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new MedrlError(`${dir} exists and is not empty; choose another name or --dir`);
  }
  let sdkSpec = `^${options.sdk.version}`;
  const written: string[] = [];
  if (options.sdk.vendorFrom) {
    const { packInto } = await import('./sources.js');
    let tarball: string;
    try {
      tarball = await packInto(options.sdk.vendorFrom, path.join(dir, VENDOR_DIR));
    } catch (error) {
      throw new MedrlError(`medrl init plugin: ${(error as Error).message}; or use --sdk registry`);
    }
    sdkSpec = `file:${VENDOR_DIR}/${tarball}`;
    written.push(`${VENDOR_DIR}/${tarball}`);
  }
  const files = scaffoldFiles(packageName, options.kind, options.sdk.version, sdkSpec);
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { flag: 'wx' });
    written.push(rel);
  }
  return { dir, packageName, files: written, sdkSpec };
}
