/**
 * Atomic file output: write into a temporary sibling, fsync, then rename over the target, so a
 * reader never sees a half-written file and a crash leaves the previous version intact.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
}

/** Writes a whole file atomically. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPath(target);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, target);
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

  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const handle = await open(this.tmp, 'r+');
    await handle.sync();
    await handle.close();
    await rename(this.tmp, this.target);
  }

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
