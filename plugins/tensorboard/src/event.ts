/**
 * The `Event` protocol buffer of TensorBoard event files (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto), the fields a scalar logger needs:
 *
 *   Event      { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3;
 *                Summary summary = 5; SessionLog session_log = 7; } }
 *   Summary    { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
 *   SessionLog { SessionStatus status = 1; }  (START = 1: TensorBoard drops data of later steps
 *                logged before it, so a resumed run does not show steps twice)
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface TbEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  /** Scalars by tag. */
  scalars?: Record<string, number>;
  sessionStart?: boolean;
}

export function encodeEvent(event: TbEvent): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(event.wallTime);
  w.tag(2, WireType.Varint).int64(event.step);
  if (event.fileVersion !== undefined) w.tag(3, WireType.LengthDelimited).string(event.fileVersion);
  if (event.scalars) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const [tag, value] of Object.entries(event.scalars)) {
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).string(tag);
      w.tag(2, WireType.Bit32).float(value);
      w.join();
    }
    w.join();
  }
  if (event.sessionStart) {
    w.tag(7, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).int32(1);
    w.join();
  }
  return w.finish();
}

/** Decodes the fields above (others are skipped). */
export function decodeEvent(bytes: Uint8Array): TbEvent {
  const r = new BinaryReader(bytes);
  const event: TbEvent = { wallTime: 0, step: 0 };
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1 && type === WireType.Bit64) event.wallTime = r.double();
    else if (field === 2 && type === WireType.Varint) event.step = Number(r.int64());
    else if (field === 3 && type === WireType.LengthDelimited) event.fileVersion = r.string();
    else if (field === 5 && type === WireType.LengthDelimited) event.scalars = decodeSummary(r.bytes());
    else if (field === 7 && type === WireType.LengthDelimited) {
      const s = new BinaryReader(r.bytes());
      while (s.pos < s.len) {
        const [f, t] = s.tag();
        if (f === 1 && t === WireType.Varint) event.sessionStart = s.int32() === 1;
        else s.skip(t, f);
      }
    } else r.skip(type, field);
  }
  return event;
}

function decodeSummary(bytes: Uint8Array): Record<string, number> {
  const r = new BinaryReader(bytes);
  const out: Record<string, number> = {};
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field !== 1 || type !== WireType.LengthDelimited) {
      r.skip(type, field);
      continue;
    }
    const v = new BinaryReader(r.bytes());
    let tag = '';
    let value = Number.NaN;
    while (v.pos < v.len) {
      const [f, t] = v.tag();
      if (f === 1 && t === WireType.LengthDelimited) tag = v.string();
      else if (f === 2 && t === WireType.Bit32) value = v.float();
      else v.skip(t, f);
    }
    out[tag] = value;
  }
  return out;
}
