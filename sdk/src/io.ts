/**
 * Atomic file output for medrl and its plugins (`@medrl/sdk/io`): write into a temporary sibling,
 * fsync, then rename over the target, so a reader never sees a half-written file and a crash leaves
 * the previous version intact. Checkpoint writers and every command's outputs go through here.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Appends bytes to the file being written. */
export type WriteChunk = (bytes: Uint8Array) => Promise<void>;

function tempPath(target: string): string {
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.tmp`);
}

/**
 * Writes a whole file atomically. `data` is the content, or a function that streams it through
 * `write` (a multi-GB checkpoint is then never held twice in memory). The directory is created.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array | ((write: WriteChunk) => Promise<void>),
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPath(target);
  const handle = await open(tmp, 'wx');
  let committed = false;
  try {
    if (typeof data === 'function') {
      await data(async (bytes) => {
        let done = 0;
        while (done < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
          done += bytesWritten;
        }
      });
    } else {
      await handle.writeFile(data);
    }
    await handle.sync();
    await handle.close();
    await rename(tmp, target);
    committed = true;
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
    }
  }
  await syncDirectory(path.dirname(target));
}

/** Makes a rename durable; some platforms cannot open directories, which is harmless. */
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

/** A line-oriented atomic writer: `write` lines, then `commit` (rename into place) or `abort`. */
export class AtomicLineWriter {
  private readonly tmp: string;
  private readonly stream: WriteStream;

  private constructor(private readonly target: string) {
    this.tmp = tempPath(target);
    this.stream = createWriteStream(this.tmp, { flags: 'w' });
  }

  /** Creates the target's directory and the temporary file. */
  static async open(target: string): Promise<AtomicLineWriter> {
    await mkdir(path.dirname(target), { recursive: true });
    return new AtomicLineWriter(target);
  }

  /** Writes one line (a newline is added); resolves when the stream can take more. */
  async writeLine(line: string): Promise<void> {
    if (!this.stream.write(line + '\n')) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  /** Flushes, fsyncs and renames the file into place. */
  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const handle = await open(this.tmp, 'r+');
    await handle.sync();
    await handle.close();
    await rename(this.tmp, this.target);
    await syncDirectory(path.dirname(this.target));
  }

  /** Drops what was written; the target is left as it was. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tmp, { force: true });
  }
}

/** Whether a file or directory exists (any stat error counts as "no"). */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether `dir` exists and is a directory. */
export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
