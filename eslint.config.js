// Lint for the whole monorepo. The project-specific rules are the package boundaries of
// docs/architecture.md, enforced with no-restricted-imports per folder:
//   runtime (@medrl/core) and serve: no tfjs, no @medrl/engine;  engine: never the runtime;
//   nothing imports the CLI (`medrl`);  plugins and examples: only @medrl/sdk (checkpoint-hf also the
//   tfjs-free codec, @medrl/engine/codec);  the preset: only @medrl/sdk.
// Test files (test/, bench/, tools/) are not packages and may import anything.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SOURCES = '{ts,js,mts,mjs}';

/** Bare specifiers and relative paths into (src|dist of) the package folders named. */
function packages(...names) {
  const specifiers = {
    core: '@medrl/core',
    engine: '@medrl/engine',
    train: '@medrl/train',
    serve: '@medrl/serve',
    cli: 'medrl',
  };
  const folders = { core: 'runtime', engine: 'engine', train: 'train', serve: 'serve', cli: 'cli' };
  return names.flatMap((name) => [
    specifiers[name],
    `${specifiers[name]}/*`,
    `**/${folders[name]}/src/**`,
    `**/${folders[name]}/dist/**`,
    `**/core/${folders[name]}/**`,
  ]);
}

const TFJS = ['@tensorflow/*'];
const NO_CLI = { group: packages('cli'), message: 'Nothing imports the medrl CLI package; it imports the others.' };

function boundary(files, rules, ignores = [], paths = []) {
  return {
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { paths, patterns: [...rules, NO_CLI] }] },
  };
}

const pluginRule = {
  group: [...packages('core', 'engine', 'train', 'serve'), '**/core/src/**', '**/core/dist/**'],
  message: 'Plugins and examples may import only @medrl/sdk, never @medrl/core.',
};

export const boundaries = [
  boundary(
    [`core/runtime/**/*.${SOURCES}`],
    [
      {
        group: [...TFJS, ...packages('engine', 'train', 'serve')],
        message: '@medrl/core (the runtime) may import only @medrl/sdk: no tfjs, engine, train or serve.',
      },
      { group: ['@medrl/plugin-*', '@medrl/preset-*'], message: '@medrl/core names no built-in plugin or preset.' },
    ],
  ),
  boundary(
    [`core/serve/**/*.${SOURCES}`],
    [
      {
        group: [...TFJS, ...packages('engine', 'train')],
        message: '@medrl/serve may import only @medrl/core and @medrl/sdk: no tfjs, engine or train.',
      },
    ],
  ),
  boundary(
    [`core/engine/**/*.${SOURCES}`],
    [
      {
        group: packages('core', 'train', 'serve'),
        message: '@medrl/engine never imports the runtime (@medrl/core), train or serve.',
      },
    ],
  ),
  boundary(
    [`core/train/**/*.${SOURCES}`],
    [{ group: packages('serve'), message: '@medrl/train never imports serve.' }],
  ),
  boundary(
    [`plugins/preset-medical/**/*.${SOURCES}`],
    [
      {
        group: [...pluginRule.group, '@medrl/*', '!@medrl/sdk', '!@medrl/sdk/*'],
        message: 'The preset may import only @medrl/sdk; it names plugins by package name.',
      },
    ],
  ),
  // A gitignore-style pattern cannot re-allow a path under an excluded one, so the package itself is
  // an exact `paths` entry here and only its subpaths are patterns.
  boundary(
    [`plugins/checkpoint-hf/**/*.${SOURCES}`],
    [
      {
        group: [
          ...pluginRule.group.filter((p) => p !== '@medrl/engine' && p !== '@medrl/engine/*'),
          '@medrl/engine/*',
          '!@medrl/engine/codec',
        ],
        message: `${pluginRule.message} (checkpoint-hf may also import the tfjs-free @medrl/engine/codec)`,
      },
    ],
    [],
    [
      {
        name: '@medrl/engine',
        message: `${pluginRule.message} (checkpoint-hf may also import the tfjs-free @medrl/engine/codec)`,
      },
    ],
  ),
  boundary(
    [`plugins/**/*.${SOURCES}`, `examples/**/*.${SOURCES}`],
    [pluginRule],
    [`plugins/preset-medical/**`, `plugins/checkpoint-hf/**`],
  ),
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'models/**', 'runs/**', 'eval_report/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  ...boundaries,
);
