/** Buffered JSONL writing with back-pressure, for outputs too large to build in memory. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const NEWLINE = Buffer.from('\n');

export class JsonlWriter {
  private readonly stream: WriteStream;
  private buffer: (string | Buffer)[] = [];
  private bufferedChars = 0;
  lines = 0;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file);
  }

  /** Adds one line (an object is serialised; a string or the bytes of a line are written as they are). */
  push(line: string | Buffer | object): void {
    const item = typeof line === 'string' || Buffer.isBuffer(line) ? line : JSON.stringify(line);
    this.buffer.push(item);
    this.bufferedChars += item.length + 1;
    this.lines += 1;
  }

  /** Hands buffered lines to the stream once enough have gathered, waiting when the disk is behind. */
  async flush(force = false): Promise<void> {
    if (this.buffer.length === 0 || (!force && this.bufferedChars < 1 << 16)) return;
    const chunk = this.buffer.every((item) => typeof item === 'string')
      ? this.buffer.join('\n') + '\n'
      : Buffer.concat(this.buffer.flatMap((item) => [typeof item === 'string' ? Buffer.from(item) : item, NEWLINE]));
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
