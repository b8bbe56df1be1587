/**
 * Atomic file writes: the bytes go to a temp file in the same directory, are fsynced, and the temp
 * file is renamed over the target. A crash or error leaves either the old file or the new one,
 * never a truncated file; on error the temp file is removed.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Appends bytes to the file being written. */
export type WriteChunk = (bytes: Uint8Array) => Promise<void>;

function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `file` atomically; `body` streams the content through `write`. */
export async function writeFileAtomic(file: string, body: (write: WriteChunk) => Promise<void>): Promise<void> {
  const temp = tempPathFor(file);
  const handle = await open(temp, 'wx');
  let committed = false;
  try {
    await body(async (bytes) => {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    });
    await handle.sync();
    await handle.close();
    await rename(temp, file);
    committed = true;
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }
  await syncDirectory(path.dirname(file));
}

/** Writes a text file atomically. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, (write) => write(Buffer.from(text, 'utf8')));
}

/** Makes the rename durable; some platforms cannot open directories, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is best effort (unsupported on Windows).
  }
}
