import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the packages' sources; their imports of each other must reach the same sources
    // (one copy of every class), not the built dist/ (the same map as tsconfig.json's paths).
    alias: [
      { find: /^@medrl\/core$/, replacement: src('./core/runtime/src/index.ts') },
      { find: /^@medrl\/core\/errors$/, replacement: src('./core/runtime/src/errors.ts') },
      { find: /^@medrl\/core\/text$/, replacement: src('./core/runtime/src/text.ts') },
      { find: /^@medrl\/core\/interrupt$/, replacement: src('./core/runtime/src/runtime/interrupt.ts') },
      { find: /^@medrl\/engine$/, replacement: src('./core/engine/src/index.ts') },
      { find: /^@medrl\/engine\/codec$/, replacement: src('./core/engine/src/codec/index.ts') },
      { find: /^@medrl\/engine\/errors$/, replacement: src('./core/engine/src/errors.ts') },
      { find: /^@medrl\/train$/, replacement: src('./core/train/src/index.ts') },
      { find: /^@medrl\/serve$/, replacement: src('./core/serve/src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
