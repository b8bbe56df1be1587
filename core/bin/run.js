#!/usr/bin/env node
// The medrl CLI.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// The product is `medrl`; the package that hosts it is named for its place in the monorepo, and oclif
// would print that name in `--version` and help.
const product = { ...pjson, name: pjson.oclif.bin };
const argv = process.argv.slice(2);

if (['--version', ...(pjson.oclif.additionalVersionFlags ?? [])].includes(argv[0])) {
  // Answered before anything else loads (importing oclif alone takes ~0.2 s); oclif's own format.
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  process.stdout.write(`${product.name}/${product.version} ${process.platform}-${arch} node-${process.version}\n`);
} else {
  // Node >= 22.1 caches compiled code between runs (oclif alone is a few hundred modules); Node 20 lacks it.
  module.enableCompileCache?.();
  // reflect-metadata must load before any decorated class (tsyringe).
  await import('reflect-metadata');
  const { execute } = await import('@oclif/core');
  await execute({ args: argv, loadOptions: { root, pjson: product } });
}
