/** File helpers of the data pipeline: input discovery and atomic output. */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from './errors.js';

/**
 * Every *.jsonl under `input` (a directory, searched recursively, or one file), in sorted order.
 * Symbolic links are followed, to files and to directories alike (data is often linked in from a
 * shared drive); a directory reached twice (a link loop, or two links to one place) is read once,
 * and so is a file. A broken link named *.jsonl is an error, not a silent skip.
 */
export async function findJsonlFiles(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => {
    throw new DataError(`input ${input} does not exist (set --input or data.input)`);
  });
  if (info.isFile()) return [input];
  const found: string[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (!target) {
          if (entry.name.endsWith('.jsonl')) {
            throw new DataError(`input ${full} is a broken symbolic link (its target does not exist)`);
          }
          continue;
        }
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) await walk(full);
      else if (isFile && entry.name.endsWith('.jsonl')) {
        const realFile = await realpath(full);
        if (seenFiles.has(realFile)) continue;
        seenFiles.add(realFile);
        found.push(full);
      }
    }
  };
  await walk(input);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A posix-style path relative to `base` (for stats and rejection reports that read the same everywhere). */
export function relativePosix(base: string, file: string): string {
  const relative = path.relative(base, file) || path.basename(file);
  return relative.split(path.sep).join('/');
}
