/**
 * @medrl/sdk — the only package a medrl plugin needs.
 * May import: tsyringe and reflect-metadata (peers). Nothing from @medrl/core.
 */
export * from './types.js';
export * from './hooks.js';
export * from './plugin.js';
export * from './config.js';
export * from './tokens.js';
export * from './testing.js';
export { inject, injectable } from 'tsyringe';
