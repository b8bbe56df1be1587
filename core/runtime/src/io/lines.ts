/**
 * Streaming JSONL line splitter over bytes. Lines are yielded in batches (one per read chunk) so the
 * caller can process them synchronously. A line longer than `maxBytes` is never assembled: its bytes
 * are counted and dropped, and only its head is kept for the rejection excerpt. A UTF-8 BOM on the
 * first line and a CR before the LF are removed. Bytes are not decoded here, so the caller can reject
 * invalid UTF-8 instead of silently replacing it.
 */
import { createReadStream } from 'node:fs';

export interface RawLine {
  /** 1-based physical line number (blank lines count, so numbers match an editor's). */
  number: number;
  /** The line's bytes without the line end; for an oversize line, only its first bytes. */
  bytes: Buffer;
  /** Length of the whole line in bytes, without the line end. */
  byteLength: number;
  oversize: boolean;
}

const HEAD_BYTES = 240;
const LF = 0x0a;
const CR = 0x0d;

export async function* readLineBatches(file: string, maxBytes: number): AsyncGenerator<RawLine[]> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let oversize = false;
  let head: Buffer | null = null;
  let lineNumber = 0;

  const finish = (tail: Buffer): RawLine => {
    lineNumber += 1;
    let bytes: Buffer;
    let byteLength: number;
    if (oversize) {
      bytes = head!;
      byteLength = pendingLength + tail.length;
    } else {
      bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
      byteLength = bytes.length;
    }
    if (byteLength > 0 && !oversize && bytes[byteLength - 1] === CR) {
      bytes = bytes.subarray(0, byteLength - 1);
      byteLength -= 1;
    } else if (oversize && tail.length > 0 && tail[tail.length - 1] === CR) {
      byteLength -= 1;
    }
    if (lineNumber === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
      byteLength -= 3;
    }
    const line: RawLine = { number: lineNumber, bytes, byteLength, oversize: oversize || byteLength > maxBytes };
    if (line.oversize && !oversize) line.bytes = bytes.subarray(0, HEAD_BYTES);
    pending = [];
    pendingLength = 0;
    oversize = false;
    head = null;
    return line;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const batch: RawLine[] = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) {
        const rest = chunk.subarray(start);
        if (oversize) {
          pendingLength += rest.length;
        } else if (pendingLength + rest.length > maxBytes + 1) {
          // Too long already: keep the head for the excerpt and only count what follows.
          head = Buffer.concat([...pending, rest]).subarray(0, HEAD_BYTES);
          head = Buffer.from(head);
          pendingLength += rest.length;
          pending = [];
          oversize = true;
        } else if (rest.length > 0) {
          // Copy: the chunk is released after this batch.
          pending.push(Buffer.from(rest));
          pendingLength += rest.length;
        }
        break;
      }
      batch.push(finish(chunk.subarray(start, end)));
      start = end + 1;
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingLength > 0 || oversize) yield [finish(Buffer.alloc(0))];
}

/** A line holding only spaces, tabs or CR is blank (skipped, not counted). */
export function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}
