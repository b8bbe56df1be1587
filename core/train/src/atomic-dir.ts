/**
 * Atomic checkpoint directories: everything is written into a hidden temporary sibling, flushed to
 * disk, and renamed into place, so a crash or kill mid-write leaves either the complete new
 * directory or nothing (and the previous checkpoints untouched). Replacing an existing directory
 * (final_rl_model) moves the old one aside first; `recoverDirs` finishes or undoes an interrupted
 * replace and removes stale temporaries on the next start.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from '@medrl/sdk/io';

const TMP_MARK = '.tmp-';
const OLD_MARK = '.old-';

/** fsync a file or directory (directories: so that a rename inside them is durable). */
async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(full);
    else if (entry.isFile()) await fsyncPath(full);
  }
  await fsyncPath(dir);
}

/**
 * Creates `target` atomically: `fill` writes into a temporary directory that becomes `target`
 * only once `fill` resolved and every file is on disk. An existing `target` is replaced.
 */
export async function writeDirAtomic(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(target);
  const base = path.basename(target);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${base}${TMP_MARK}${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    await fsyncTree(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  if (await pathExists(target)) {
    const old = path.join(parent, `.${base}${OLD_MARK}${process.pid}-${Date.now()}`);
    await rename(target, old);
    await rename(tmp, target);
    await fsyncPath(parent);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, target);
    await fsyncPath(parent);
  }
}

/**
 * Cleans up after an interrupted `writeDirAtomic` in `parent`: temporaries are deleted; a moved-aside
 * old directory whose target is missing is put back, else deleted. Returns what it did.
 */
export async function recoverDirs(parent: string): Promise<string[]> {
  if (!(await pathExists(parent))) return [];
  const actions: string[] = [];
  for (const name of (await readdir(parent)).sort()) {
    if (!name.startsWith('.')) continue;
    const full = path.join(parent, name);
    const tmpAt = name.indexOf(TMP_MARK);
    const oldAt = name.indexOf(OLD_MARK);
    if (tmpAt > 0) {
      await rm(full, { recursive: true, force: true });
      actions.push(`removed incomplete ${name}`);
    } else if (oldAt > 0) {
      const target = path.join(parent, name.slice(1, oldAt));
      if (await pathExists(target)) {
        await rm(full, { recursive: true, force: true });
        actions.push(`removed replaced ${name}`);
      } else {
        await rename(full, target);
        actions.push(`restored ${path.basename(target)} from ${name}`);
      }
    }
  }
  return actions;
}
