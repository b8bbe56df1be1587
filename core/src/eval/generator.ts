/**
 * Where evaluated answers come from. The evaluation only needs `AnswerGenerator`: the engine-backed
 * implementation (engine-generator.ts) generates with a model directory; `FixtureAnswers` reads
 * answers produced elsewhere (another inference server, an earlier run, test fixtures) from JSONL.
 */
import { readFile } from 'node:fs/promises';
import { MedrlError } from '../errors.js';

/** One prompt to answer. */
export interface GenerationRequest {
  id: string;
  split: string;
  prompt: string;
}

/** A generated answer in token ids: what KL between two models is computed on. */
export interface TokenizedAnswer {
  promptIds: number[];
  tokenIds: number[];
}

/** Scores token sequences under a model (engine generators); two scorers compare only with equal `tokenizerKey`. */
export interface SequenceScorer {
  /** Identifies the tokenizer (its files), so that token ids mean the same text. */
  readonly tokenizerKey: string;
  /** Every answer generate() produced so far, in order. */
  readonly answers: readonly TokenizedAnswer[];
  /** Sum over each answer's tokens of log p (at the generation temperature). */
  sequenceLogprobs(answers: readonly TokenizedAnswer[]): Promise<number[]>;
}

export interface AnswerGenerator {
  /** What produced the answers (a model directory or a file), shown in the report. */
  readonly label: string;
  /** One completion (think block included) per request, in order. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<string[]>;
  /** Frees the model's memory; called once when the evaluation ends. */
  close?(): Promise<void>;
  /** Present when the answers come from a model that can score token sequences. */
  readonly scorer?: SequenceScorer;
  /** The decoding used, recorded in metrics.json. */
  readonly decoding?: Record<string, unknown>;
}

/** The text field of an answers line: the first of these that is a string. */
const TEXT_FIELDS = ['completion', 'answer', 'output', 'response'] as const;

/**
 * Answers from a JSONL file of `{id, split?, completion}` lines (`answer`, `output` or `response`
 * are accepted for `completion`). A line with a split answers only that split's prompt of that id;
 * a line without one answers any split's.
 */
export class FixtureAnswers implements AnswerGenerator {
  private constructor(
    readonly label: string,
    private readonly bySplitAndId: ReadonlyMap<string, string>,
    private readonly byId: ReadonlyMap<string, string>,
  ) {}

  /** Answers from lines already in memory (tests, programmatic use). */
  static fromRecords(
    label: string,
    records: readonly { id: string; split?: string; completion: string }[],
  ): FixtureAnswers {
    const bySplitAndId = new Map<string, string>();
    const byId = new Map<string, string>();
    for (const record of records) {
      if (record.split !== undefined) bySplitAndId.set(`${record.split}\u0000${record.id}`, record.completion);
      else byId.set(record.id, record.completion);
    }
    return new FixtureAnswers(label, bySplitAndId, byId);
  }

  static async fromFile(file: string): Promise<FixtureAnswers> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new MedrlError(`answers file ${file}: ${(error as Error).message}`);
    }
    const records: { id: string; split?: string; completion: string }[] = [];
    text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .forEach((line, index) => {
        if (line.trim() === '') return;
        const where = `${file}:${index + 1}`;
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(line) as Record<string, unknown>;
        } catch (error) {
          throw new MedrlError(`${where}: invalid JSON (${(error as Error).message})`);
        }
        if (typeof json !== 'object' || json === null || Array.isArray(json))
          throw new MedrlError(`${where}: expected a JSON object`);
        if (typeof json.id !== 'string' && typeof json.id !== 'number')
          throw new MedrlError(`${where}: field "id" must be a string or number`);
        const field = TEXT_FIELDS.find((name) => typeof json[name] === 'string');
        if (!field)
          throw new MedrlError(
            `${where}: no answer text; expected a string field "completion" (or ${TEXT_FIELDS.slice(1).join(', ')})`,
          );
        if (json.split !== undefined && typeof json.split !== 'string')
          throw new MedrlError(`${where}: field "split" must be a string`);
        records.push({
          id: String(json.id),
          split: json.split as string | undefined,
          completion: json[field] as string,
        });
      });
    return FixtureAnswers.fromRecords(file, records);
  }

  async generate(requests: readonly GenerationRequest[]): Promise<string[]> {
    return requests.map((request) => {
      const answer = this.bySplitAndId.get(`${request.split}\u0000${request.id}`) ?? this.byId.get(request.id);
      if (answer === undefined) {
        throw new MedrlError(`${this.label}: no answer for prompt id "${request.id}" of split "${request.split}"`);
      }
      return answer;
    });
  }
}
