/**
 * The JSONL logs of a training run: metrics.jsonl (one line per step: step and stats) and
 * rollouts.jsonl (one line per rollout: step, prompt, completion, reward breakdown). Lines are
 * appended whole, so a crash loses at most the line being written; on resume from step k, lines
 * of later steps (written after the checkpoint) are dropped first so every step appears once.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class JsonlLog {
  constructor(readonly file: string) {}

  async append(records: readonly Record<string, unknown>[]): Promise<void> {
    if (records.length === 0) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await appendFile(this.file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  /** Starts a fresh log (a new run). */
  async reset(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(this.file, '');
  }

  /** Keeps only complete lines whose `step` is at most `step` (atomically). */
  async truncateAfter(step: number): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return;
    }
    const kept = text.split('\n').filter((line) => {
      if (line.trim() === '') return false;
      try {
        const record = JSON.parse(line) as { step?: unknown };
        return typeof record.step === 'number' && record.step <= step;
      } catch {
        return false; // a torn last line
      }
    });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, kept.length > 0 ? kept.join('\n') + '\n' : '');
    await rename(tmp, this.file);
  }

  async read(): Promise<Record<string, unknown>[]> {
    const text = await readFile(this.file, 'utf8');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
