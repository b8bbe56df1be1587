/**
 * The only package a medrl plugin needs: types, `definePlugin`, `defineConfig`, DI tokens and
 * `RewardTester`. May import: tsyringe and reflect-metadata (peers). Nothing from the core package.
 *
 * @packageDocumentation
 */
// tsyringe needs the Reflect metadata API when it loads; loading it here spares every plugin
// and test the ceremony (it is idempotent next to the CLI's own import).
import 'reflect-metadata';

export * from './types.js';
export * from './hooks.js';
export * from './plugin.js';
export * from './config.js';
export * from './tokens.js';
export * from './testing.js';
export { inject, injectable } from 'tsyringe';
