/** Buffered JSONL writing with back-pressure, for outputs too large to build in memory. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export class JsonlWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private bufferedChars = 0;
  lines = 0;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file);
  }

  /** Adds one line (an object is serialised; a string is written as is). */
  push(line: string | object): void {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    this.buffer.push(text);
    this.bufferedChars += text.length + 1;
    this.lines += 1;
  }

  /** Hands buffered lines to the stream once enough have gathered, waiting when the disk is behind. */
  async flush(force = false): Promise<void> {
    if (this.buffer.length === 0 || (!force && this.bufferedChars < 1 << 16)) return;
    const chunk = this.buffer.join('\n') + '\n';
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
