// The consumer test (`npm run test:consumer`, run by .ci/run after `npm test`): it packs every
// workspace and installs the tarballs into projects outside the repository, which takes minutes and
// the npm registry, so it is not part of `npm test`.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: ['test/consumer/**/*.e2e.ts'],
    setupFiles: ['./test/setup.ts'],
    globals: true,
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
