#!/usr/bin/env node
// medrl-serve: the reward server of @medrl/serve without the medrl CLI (see src/main.ts).
// reflect-metadata must load before any decorated class (tsyringe).
await import('reflect-metadata');
const { serveBin } = await import('../dist/main.js');
await serveBin(process.argv.slice(2));
