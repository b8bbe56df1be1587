/**
 * TensorFlow's record framing of event files (tensorflow/core/lib/io/record_writer.cc): each record
 * is its length (uint64, little-endian), the masked CRC-32C of those 8 bytes, the data, and the
 * masked CRC-32C of the data.
 */
import crc32c from 'crc-32/crc32c.js';

/** TensorFlow's CRC mask: rotate right by 15 bits and add a constant (crc32c.h). */
export function maskedCrc(data: Uint8Array): number {
  const crc = crc32c.buf(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One framed record. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc(data), 12 + data.length);
  return out;
}

/** The records of a file, checking both CRCs; a torn last record (a writer still at work) ends the list. */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= buf.length) {
    const length = Number(buf.readBigUInt64LE(at));
    if (buf.readUInt32LE(at + 8) !== maskedCrc(buf.subarray(at, at + 8))) {
      throw new Error(`event file: bad length checksum at byte ${at}`);
    }
    if (at + 12 + length + 4 > buf.length) break;
    const data = buf.subarray(at + 12, at + 12 + length);
    if (buf.readUInt32LE(at + 12 + length) !== maskedCrc(data)) {
      throw new Error(`event file: bad data checksum at byte ${at}`);
    }
    out.push(data);
    at += 12 + length + 4;
  }
  return out;
}
