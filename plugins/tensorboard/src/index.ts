/**
 * @medrl/plugin-tensorboard — `report_to: ['tensorboard']`: every row that `medrl sft` and
 * `medrl train` log (the onLog hook) becomes scalar summaries in a TensorBoard event file under
 * `<outputDir>/tensorboard/` (the run's own folder, so it moves to runs/<name> with the run).
 * `tensorboard --logdir models` then shows every run, the latest and the earlier ones, side by side.
 * May import: @medrl/sdk, its own dependencies and Node built-ins; never @medrl/core.
 */
import { mkdir, open, readFile, readdir, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { definePlugin, type MedrlPlugin } from '@medrl/sdk';
import { decodeEvent, encodeEvent, type TbEvent } from './event.js';
import { frameRecord, readRecords } from './records.js';

export const PLUGIN_NAME = '@medrl/plugin-tensorboard';

export interface TensorboardOptions {
  /** Folder of the event files; relative to the run's output directory. Default `tensorboard`. */
  logDir?: string;
}

/** Appends events to one event file (`events.out.tfevents.<time>.<host>.<pid>`), a record per event. */
export class EventFileWriter {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates the file with its `brain.Event:2` version record. */
  static async create(dir: string, now = Date.now()): Promise<EventFileWriter> {
    await mkdir(dir, { recursive: true });
    const base = path.join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}.${process.pid}`);
    // Two runs of one process within a second (a resume in the same process) get the same base
    // name: never append to an earlier run's file, take the next free suffix instead.
    for (let suffix = 0; ; suffix++) {
      const file = suffix === 0 ? base : `${base}.${suffix}`;
      try {
        const writer = new EventFileWriter(file, await open(file, 'wx'));
        await writer.write({ wallTime: now / 1000, step: 0, fileVersion: 'brain.Event:2' });
        return writer;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  async write(event: TbEvent): Promise<void> {
    await this.handle.appendFile(frameRecord(encodeEvent(event)));
  }

  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }
}

/** Every event of every event file in `dir`, file by file (by name), in order. */
export async function readEventDir(dir: string): Promise<TbEvent[]> {
  const files = (await readdir(dir)).filter((n) => n.includes('tfevents')).sort();
  const out: TbEvent[] = [];
  for (const name of files) {
    for (const record of readRecords(await readFile(path.join(dir, name)))) out.push(decodeEvent(record));
  }
  return out;
}

export default function tensorboard(options: TensorboardOptions = {}): MedrlPlugin {
  const unknown = Object.keys(options ?? {}).filter((k) => k !== 'logDir');
  if (unknown.length > 0) throw new Error(`${PLUGIN_NAME}: unknown option(s) ${unknown.join(', ')} (known: logDir)`);
  let writer: EventFileWriter | undefined;
  const close = async () => {
    const w = writer;
    writer = undefined;
    await w?.close();
  };
  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.1',
    version: '0.1.0',
    async onTrainStart({ outputDir, resumedFrom }) {
      await close();
      writer = await EventFileWriter.create(path.resolve(outputDir, options.logDir ?? 'tensorboard'));
      // A resumed run logs the steps after its checkpoint again: START at the first of them tells
      // TensorBoard to drop what an earlier process logged for those steps.
      if (resumedFrom !== undefined) {
        await writer.write({ wallTime: Date.now() / 1000, step: resumedFrom + 1, sessionStart: true });
      }
    },
    async onLog({ step, values }) {
      if (!writer) return;
      const scalars = Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
      await writer.write({ wallTime: Date.now() / 1000, step, scalars });
    },
    async onTrainEnd() {
      await close();
    },
    async dispose() {
      await close();
    },
  });
}

export { decodeEvent, encodeEvent, type TbEvent } from './event.js';
export { frameRecord, maskedCrc, readRecords } from './records.js';
