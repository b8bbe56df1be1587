/**
 * Runs `medrl serve` from source in a child process (the tests send it real signals):
 * `node --import tsx test/serve/serve-cli.ts [serve flags]`.
 */
import 'reflect-metadata';
import path from 'node:path';
import Serve from '../../core/cli/src/commands/serve.js';

await Serve.run(process.argv.slice(2), path.resolve(import.meta.dirname, '../../core/cli'));
