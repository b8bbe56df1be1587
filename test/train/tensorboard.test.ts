// report_to: ['tensorboard'] writes TensorBoard event files that read back, with a reader written
// here from the record and protobuf specifications (its own CRC-32C and varint code, nothing shared
// with the plugin), as exactly the rows of the run's metrics files: same steps, tags and values
// (float32). A resumed run starts its file with SessionLog START at the first step it logs again.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MedrlPlugin } from '@medrl/sdk';
import { runTrain } from '../../core/src/train/index.js';
import { runSft } from '../../core/src/train/sft/trainer.js';
import { JsonlLog } from '../../core/src/train/run-log.js';
import { openRun } from '../../core/src/runtime/run.js';
import { tempDir, writeTree } from '../helpers/tmp.js';
import { lettersPlugin, openTinyRun, tinyProject, TINY_SHAPE } from './helpers.js';

// ---- an independent event-file reader -------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1; // Castagnoli, reflected
  return c >>> 0;
});
function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const masked = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;

/** Protobuf fields of a message: [field number, wire type, value (number | bytes)]. */
function fields(bytes: Uint8Array): [number, number, number | Uint8Array][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [number, number, number | Uint8Array][] = [];
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const [field, type] = [Math.floor(key / 8), key % 8];
    if (type === 0) out.push([field, type, varint()]);
    else if (type === 1) {
      out.push([field, type, view.getFloat64(at, true)]);
      at += 8;
    } else if (type === 5) {
      out.push([field, type, view.getFloat32(at, true)]);
      at += 4;
    } else if (type === 2) {
      const n = varint();
      out.push([field, type, bytes.subarray(at, at + n)]);
      at += n;
    } else throw new Error(`wire type ${type}`);
  }
  return out;
}

interface ReadEvent {
  step: number;
  version?: string;
  start?: boolean;
  scalars: Record<string, number>;
}

function readEvents(file: string): ReadEvent[] {
  const data = new Uint8Array(readFileSync(file));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const events: ReadEvent[] = [];
  for (let at = 0; at < data.length;) {
    const length = Number(view.getBigUint64(at, true));
    expect(view.getUint32(at + 8, true)).toBe(masked(crc32c(data.subarray(at, at + 8))));
    const body = data.subarray(at + 12, at + 12 + length);
    expect(view.getUint32(at + 12 + length, true)).toBe(masked(crc32c(body)));
    at += 16 + length;
    const event: ReadEvent = { step: 0, scalars: {} };
    for (const [field, , value] of fields(body)) {
      if (field === 2) event.step = value as number;
      if (field === 3) event.version = new TextDecoder().decode(value as Uint8Array);
      if (field === 7) event.start = fields(value as Uint8Array).some(([f, , v]) => f === 1 && v === 1);
      if (field === 5) {
        for (const [, , v] of fields(value as Uint8Array)) {
          const parts = fields(v as Uint8Array);
          const tag = new TextDecoder().decode(parts.find(([f]) => f === 1)![2] as Uint8Array);
          event.scalars[tag] = parts.find(([f]) => f === 2)![2] as number;
        }
      }
    }
    events.push(event);
  }
  return events;
}

function eventFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('events.out.tfevents.'))
    .sort()
    .map((n) => path.join(dir, n));
}

/** The metrics rows as TensorBoard holds them: float32 values by tag, per step. */
function asFloat32(rows: Record<string, unknown>[]): { step: number; scalars: Record<string, number> }[] {
  return rows.map(({ step, ...rest }) => ({
    step: step as number,
    scalars: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Math.fround(v as number)])),
  }));
}

// ---- the tests -------------------------------------------------------------------------------

describe('TensorBoard logger (report_to)', () => {
  it('SFT: one event per logged row, tags and values of sft_metrics.jsonl', async () => {
    const root = tempDir('medrl-tb-sft-');
    const records = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ id: `s${i}`, instruction: `question ${i % 3}`, input: '', output: `answer ${i % 3}` }),
    );
    writeTree(root, {
      'data/processed/train.jsonl': records.join('\n') + '\n',
      'data/processed/dev.jsonl': records.slice(0, 2).join('\n') + '\n',
    });
    const run = await openRun({
      command: 'sft',
      cwd: root,
      config: {
        plugins: [],
        model: { from_scratch: true, tiny: { ...TINY_SHAPE, tokenizer: 'characters' } },
        sft: { num_train_epochs: 4, per_device_train_batch_size: 2, learning_rate: 1.41e-5, logging_steps: 5 },
        output: { progress: 'none', report_to: ['tensorboard'] },
      },
    });
    try {
      await runSft(run);
    } finally {
      await run.close();
    }
    const rows = await new JsonlLog(path.join(root, 'models/lora/sft_metrics.jsonl')).read();
    // 24 steps, logging_steps 5, an eval per epoch (every 6 steps): rows at 5 6 10 12 15 18 20 24.
    expect(rows.map((r) => r.step)).toEqual([5, 6, 10, 12, 15, 18, 20, 24]);
    const [file, ...more] = eventFiles(path.join(root, 'models/lora/tensorboard'));
    expect(more).toEqual([]);
    const events = readEvents(file!);
    expect(events[0]).toMatchObject({ step: 0, version: 'brain.Event:2' });
    expect(events.slice(1).map(({ step, scalars }) => ({ step, scalars }))).toEqual(asFloat32(rows));
    expect(Object.keys(events[2]!.scalars).sort()).toEqual([
      'epoch',
      'eval_loss',
      'grad_norm',
      'learning_rate',
      'loss',
    ]);
    expect(events[1]!.scalars.learning_rate).toBeCloseTo(1.41e-5 * (1 - 4 / 24), 10);
  }, 60_000);

  it('PPO: every step of metrics.jsonl; a resumed run marks the restart with SessionLog START', async () => {
    const setup = await tinyProject(2);
    const controller = new AbortController();
    const stopper: MedrlPlugin = {
      name: 'stopper',
      apiVersion: '1.0',
      onStep: ({ step }) => {
        if (step === 2) controller.abort();
      },
    };
    const config = {
      ppo: { steps: 4, batch_size: 2, mini_batch_size: 2, save_steps: 1, seed: 3 },
      output: { output_dir: 'out', progress: 'none' as const, report_to: ['tensorboard'] },
    };
    const first = await openTinyRun(
      setup,
      { ...config, plugins: [lettersPlugin(setup.letterIds), stopper] },
      controller.signal,
    );
    expect((await runTrain(first, { algo: 'ppo' })).reason).toBe('interrupted');
    await first.close();
    const second = await openTinyRun(setup, config);
    expect((await runTrain(second, { algo: 'ppo', resume: true })).reason).toBe('finished');
    await second.close();

    const files = eventFiles(path.join(setup.root, 'out/tensorboard'));
    expect(files).toHaveLength(2);
    const [a, b] = files.map(readEvents) as [ReadEvent[], ReadEvent[]];
    expect(a.slice(1).map((e) => e.step)).toEqual([1, 2]);
    expect(b[1]).toMatchObject({ step: 3, start: true, scalars: {} });
    const logged = [...a.slice(1), ...b.slice(2)].map(({ step, scalars }) => ({ step, scalars }));
    const rows = await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read();
    expect(logged).toEqual(asFloat32(rows));
    expect(Object.keys(logged[0]!.scalars)).toEqual(
      expect.arrayContaining(['env/reward_mean', 'objective/kl', 'ppo/learning_rate', 'reward/test/letters/mean']),
    );
  }, 90_000);
});
