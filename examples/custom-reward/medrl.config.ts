/** A project config that adds a local TypeScript reward plugin to the built-in ones. */
import { defineConfig } from '@medrl/sdk';
import rules from '@medrl/plugin-rules';
import judgeMock from '@medrl/plugin-judge-mock';
import plainLanguage from './src/plain-language.ts';

export default defineConfig({
  plugins: [rules(), judgeMock(), plainLanguage({ maxSentenceChars: 100 })],
  reward: {
    components: [
      { use: 'rules/format', weight: 0.1 },
      { use: 'rules/safety', weight: 0.4 },
      { use: 'plain-language', weight: 0.1 },
      { use: 'judge', weight: 0.4 },
    ],
  },
  judge: { use: 'mock' },
});
