/** Buffered JSONL writing with back-pressure, for outputs too large to build in memory. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const NEWLINE = Buffer.from('\n');

export class JsonlWriter {
  private readonly stream: WriteStream;
  private buffer: (string | Buffer)[] = [];
  private bufferedChars = 0;
  /** Whether `buffer` holds raw bytes that end with their own line ends (`pushRaw`). */
  private raw = false;
  lines = 0;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file);
  }

  /** Adds one line (an object is serialised; a string or the bytes of a line are written as they are). */
  push(line: string | Buffer | object): void {
    if (this.raw) throw new Error(`internal error: ${this.file}: push after pushRaw`);
    const item = typeof line === 'string' || Buffer.isBuffer(line) ? line : JSON.stringify(line);
    this.buffer.push(item);
    this.bufferedChars += item.length + 1;
    this.lines += 1;
  }

  /** Adds the bytes of one line that already end with its `\n` (copied only when flushed). */
  pushRaw(line: Buffer): void {
    if (!this.raw && this.buffer.length > 0) throw new Error(`internal error: ${this.file}: pushRaw after push`);
    this.raw = true;
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.lines += 1;
  }

  /** Hands buffered lines to the stream once enough have gathered, waiting when the disk is behind. */
  async flush(force = false): Promise<void> {
    if (this.buffer.length === 0 || (!force && this.bufferedChars < 1 << 16)) return;
    let chunk: string | Buffer;
    if (this.raw) chunk = Buffer.concat(this.buffer as Buffer[]);
    else if (this.buffer.every((item) => typeof item === 'string')) chunk = this.buffer.join('\n') + '\n';
    else chunk = Buffer.concat(this.buffer.flatMap((item) => [typeof item === 'string' ? Buffer.from(item) : item, NEWLINE]));
    this.buffer = [];
    this.bufferedChars = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush(true);
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Closes the file without waiting for buffered data (after an error). */
  destroy(): void {
    this.stream.destroy();
  }
}
