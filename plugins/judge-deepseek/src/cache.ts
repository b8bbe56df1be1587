/**
 * The persistent judgement cache: an append-only JSONL file, one line per judgement, keyed by a
 * hash of (model, template version, rubric, question, answer). Lines hold the verdict and its
 * usage, the question and the answer cut to `cacheTextChars` (so that the file can be read on its
 * own, e.g. with pandas), and never a credential. The verdict's `overall` is also written as
 * `overall_score`, the seed pipeline's name for it.
 *
 * Writes go through one queue per cache: pending lines are joined and written by a single append
 * call, so lines from concurrent judgements never interleave. Loading tolerates a truncated last
 * line (a crash mid-write); the next append starts on a fresh line.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Judgement, JudgeUsage, Logger } from '@medrl/sdk';

export interface CacheKeyParts {
  model: string;
  templateVersion: string;
  /** Hash of the rubric criteria in rubric mode, '' otherwise. */
  rubric: string;
  question: string;
  answer: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  const payload = JSON.stringify([parts.model, parts.templateVersion, parts.rubric, parts.question, parts.answer]);
  return createHash('sha256').update(payload).digest('hex');
}

/** One line of the cache file. */
export interface CacheLine {
  key: string;
  model: string;
  template_version: string;
  /** Id of the item that produced it (for people reading the file). */
  id?: string;
  created_at: string;
  /** The judged question and answer, cut to cacheTextChars characters (absent when 0). */
  question?: string;
  answer?: string;
  /** True when the question or the answer was cut. */
  text_truncated?: boolean;
  /** The verdict, with `overall` also under the seed pipeline's name `overall_score`. */
  judgement: Omit<Judgement, 'usage' | 'cached'> & { overall_score?: number };
  usage?: JudgeUsage;
}

/** A cache line's verdict as a Judgement (without the `overall_score` alias). */
export function verdictOf(line: CacheLine): Omit<Judgement, 'usage' | 'cached'> {
  const { overall_score: _alias, ...verdict } = structuredClone(line.judgement);
  return verdict;
}

/** The texts of a cache line, each cut to `limit` characters (marked with … when cut). */
export function lineTexts(
  question: string,
  answer: string,
  limit: number,
): Pick<CacheLine, 'question' | 'answer' | 'text_truncated'> {
  if (limit === 0) return {};
  const cut = (t: string) => (t.length > limit ? `${t.slice(0, limit)}…` : t);
  const truncated = question.length > limit || answer.length > limit;
  return { question: cut(question), answer: cut(answer), ...(truncated ? { text_truncated: true } : {}) };
}

function isCacheLine(value: unknown): value is CacheLine {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const j = v.judgement as Record<string, unknown> | undefined;
  return typeof v.key === 'string' && typeof j === 'object' && j !== null && typeof j.scores === 'object';
}

/** One cache object per file in this process, so that all writers share one append queue. */
const openCaches = new Map<string, JudgementCache>();

export class JudgementCache {
  /** The process-wide cache for `path` (absolute), created on first use. */
  static for(path: string, logger: Logger): JudgementCache {
    let cache = openCaches.get(path);
    if (!cache) {
      cache = new JudgementCache(path, logger);
      openCaches.set(path, cache);
    }
    return cache;
  }

  private readonly entries = new Map<string, CacheLine>();
  private loaded: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  /** True when the file ends without a newline (truncated last line): the next write starts one. */
  private needsNewline = false;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Loads the file once; later calls wait for the same load. */
  load(): Promise<void> {
    this.loaded ??= this.readFile();
    return this.loaded;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CacheLine | undefined {
    return this.entries.get(key);
  }

  /** Records a line in memory at once and on disk when the queue drains; resolves once written. */
  async append(line: CacheLine): Promise<void> {
    this.entries.set(line.key, line);
    this.pending.push(JSON.stringify(line) + '\n');
    await this.drain();
  }

  /** Waits for queued lines and closes the file. */
  async close(): Promise<void> {
    if (openCaches.get(this.path) === this) openCaches.delete(this.path);
    await this.drain();
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Resolves when every line queued so far is on disk (one flush loop at a time). */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      this.flushing ??= this.flushLoop().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
    }
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.join('');
      this.pending = [];
      if (!this.handle) {
        await mkdir(dirname(this.path), { recursive: true });
        this.handle = await open(this.path, 'a');
      }
      const prefix = this.needsNewline ? '\n' : '';
      this.needsNewline = false;
      await this.handle.appendFile(prefix + batch, 'utf8');
    }
  }

  private async readFile(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (size === 0) return;
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    let lastBad: { lineNo: number; reason: string } | undefined;
    let badCount = 0;
    for await (const text of lines) {
      lineNo += 1;
      if (text.trim() === '') continue;
      if (lastBad) {
        // A bad line followed by more lines is corruption in the middle, not a truncated tail.
        this.logger.warn(`cache ${this.path}:${lastBad.lineNo}: skipped (${lastBad.reason})`);
        badCount += 1;
        lastBad = undefined;
      }
      try {
        const value: unknown = JSON.parse(text);
        if (!isCacheLine(value)) throw new Error('not a cache line');
        this.entries.set(value.key, value);
      } catch (error) {
        lastBad = { lineNo, reason: error instanceof SyntaxError ? 'invalid JSON' : (error as Error).message };
      }
    }
    if (lastBad) {
      this.logger.warn(`cache ${this.path}:${lastBad.lineNo}: ignored a truncated last line`);
      badCount += 1;
    }
    this.needsNewline = await this.endsWithoutNewline(size);
    this.logger.debug(`cache ${this.path}: loaded ${this.entries.size} judgements`, { skipped: badCount });
  }

  private async endsWithoutNewline(size: number): Promise<boolean> {
    const handle = await open(this.path, 'r');
    try {
      const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
      return buffer[0] !== 0x0a;
    } finally {
      await handle.close();
    }
  }
}
