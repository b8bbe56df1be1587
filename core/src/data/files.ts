/** File helpers of the data pipeline: input discovery and atomic output. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from './errors.js';

/** Every *.jsonl under `input` (a directory, searched recursively, or one file), in sorted order. */
export async function findJsonlFiles(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => {
    throw new DataError(`input ${input} does not exist (set --input or data.input)`);
  });
  if (info.isFile()) return [input];
  const entries = await readdir(input, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A posix-style path relative to `base` (for stats and rejection reports that read the same everywhere). */
export function relativePosix(base: string, file: string): string {
  const relative = path.relative(base, file) || path.basename(file);
  return relative.split(path.sep).join('/');
}
