// Lint for the whole monorepo. The one project-specific rule: plugins and examples speak only
// @medrl/sdk, exactly as a third-party plugin on npm would (docs/plugins.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export const pluginBoundary = {
  files: ['plugins/**/*.{ts,js,mts,mjs}', 'examples/**/*.{ts,js,mts,mjs}'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@medrl/core', '@medrl/core/*', '**/core/src/**', '**/core/dist/**'],
            message: 'Plugins and examples may import only @medrl/sdk, never @medrl/core.',
          },
        ],
      },
    ],
  },
};

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
  pluginBoundary,
);
