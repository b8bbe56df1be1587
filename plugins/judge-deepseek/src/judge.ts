/**
 * The DeepSeek judge: one chat-completions call per (uncached) answer through the official
 * `openai` client, with pacing, retries, a persistent cache, in-flight coalescing, cost
 * accounting and a budget cap. A judgement that cannot be obtained is null — never made up.
 */
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Judge, Judgement, JudgeItem, JudgeUsage, Logger, PluginContext } from '@medrl/sdk';
import { cacheKey, JudgementCache, lineTexts, verdictOf, type CacheLine } from './cache.js';
import { estimateTokens, RequestLimiter } from './limiter.js';
import { criterionSchema, DEFAULT_BASE_URL, PLUGIN_NAME, type Criterion, type ResolvedOptions } from './options.js';
import { InvalidReplyError, parseRubricReply, parseScoringReply } from './reply.js';
import { isRetryable, retryDelayMs, serverWaitOf, sleep } from './retry.js';
import { buildPrompt, checkTemplate, resolveTemplate, type TemplateSpec } from './template.js';

/** Header that tells the server (and a reader of its logs) which template produced the prompt. */
export const TEMPLATE_VERSION_HEADER = 'x-medrl-template-version';

type Outcome = { judgement: Judgement } | { error: string };

/** The counters `stats()` reports. */
export interface DeepSeekStats {
  /** HTTP requests sent (retries included). */
  calls: number;
  cache_hits: number;
  /** Items whose judgement is missing (retries exhausted, budget, non-retryable error, no key). */
  failures: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_prompt_tokens: number;
  cost: number;
  retries: number;
  /** Items that waited for an identical request already in flight. */
  coalesced: number;
  /** Replies rejected by the schema (blank, not JSON, out of range). */
  invalid_replies: number;
  /** Items refused because the budget was reached. */
  budget_stops: number;
  /** Injection-looking spans defused in questions and answers. */
  neutralized: number;
  /** Fresh judgements obtained from the API. */
  judged: number;
}

const MAX_REMEMBERED_FAILURES = 10_000;

export interface DeepSeekJudgeEnv {
  DEEPSEEK_API_KEY?: string;
  DEEPSEEK_BASE_URL?: string;
}

export class DeepSeekJudge implements Judge {
  readonly name = 'deepseek';
  readonly description = 'DeepSeek chat model as a medical answer judge (OpenAI-compatible API)';

  private readonly apiKey: string | undefined;
  readonly baseURL: string;
  private client: OpenAI | undefined;
  private readonly limiter: RequestLimiter;
  private readonly cache: JudgementCache | undefined;
  private readonly inflight = new Map<string, Promise<Outcome>>();
  private readonly failureReasons = new Map<string, string>();
  private readonly counters: DeepSeekStats = {
    calls: 0,
    cache_hits: 0,
    failures: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_prompt_tokens: 0,
    cost: 0,
    retries: 0,
    coalesced: 0,
    invalid_replies: 0,
    budget_stops: 0,
    neutralized: 0,
    judged: 0,
  };
  private readonly linkedSignals = new WeakMap<AbortSignal, AbortSignal>();
  /** Run-wide failure kinds already logged. */
  private readonly announced = new Set<string>();
  private authAnnounced = false;
  private cacheWriteAnnounced = false;

  private constructor(
    private readonly options: ResolvedOptions,
    readonly template: TemplateSpec,
    private readonly logger: Logger,
    rootDir: string,
    env: DeepSeekJudgeEnv,
  ) {
    this.apiKey = options.apiKey ?? (env.DEEPSEEK_API_KEY?.trim() || undefined);
    const envURL = env.DEEPSEEK_BASE_URL?.trim() || undefined;
    if (options.baseURL === undefined && envURL !== undefined && !URL.canParse(envURL)) {
      throw new Error(`${PLUGIN_NAME}: environment variable DEEPSEEK_BASE_URL is not a URL: ${JSON.stringify(envURL)}`);
    }
    this.baseURL = options.baseURL ?? envURL ?? DEFAULT_BASE_URL;
    this.limiter = new RequestLimiter({ concurrency: options.concurrency, rpm: options.rpm, tpm: options.tpm });
    this.cache = options.cache === false ? undefined : JudgementCache.for(resolve(rootDir, options.cache), logger);
  }

  /** Builds a judge: reads the template file (relative to `context.rootDir`) and checks the template. */
  static async create(
    options: ResolvedOptions,
    context: Pick<PluginContext, 'logger' | 'rootDir'>,
    env: DeepSeekJudgeEnv = process.env,
  ): Promise<DeepSeekJudge> {
    let custom = options.template;
    let where = `${PLUGIN_NAME}: option "template"`;
    if (options.templateFile !== undefined) {
      const file = resolve(context.rootDir, options.templateFile);
      where = `${PLUGIN_NAME}: option "templateFile" (${file})`;
      try {
        custom = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`${where}: cannot read the template: ${(error as Error).message}`);
      }
    }
    const rubricMode = options.rubric !== undefined;
    const template = resolveTemplate(custom, options.templateVersion, rubricMode);
    if (custom !== undefined) checkTemplate(template.text, rubricMode, where);
    return new DeepSeekJudge(options, template, context.logger, context.rootDir, env);
  }

  /** True when an API key is configured (option `apiKey` or DEEPSEEK_API_KEY). */
  available(): boolean {
    return this.apiKey !== undefined;
  }

  stats(): Record<string, number> {
    return { ...this.counters, cost: round(this.counters.cost), cache_entries: this.cache?.size ?? 0 };
  }

  /** Why the last judgement for this item id was null (not part of the SDK contract yet). */
  failureReason(id: string): string | undefined {
    return this.failureReasons.get(id);
  }

  async judge(items: readonly JudgeItem[], ctx: PluginContext): Promise<(Judgement | null)[]> {
    if (this.cache) await this.cache.load();
    const outcomes = await Promise.all(items.map((item) => this.judgeOne(item, ctx)));
    return outcomes.map((outcome, index) => {
      const id = items[index]!.id;
      if ('judgement' in outcome) {
        this.failureReasons.delete(id);
        return outcome.judgement;
      }
      this.rememberFailure(id, outcome.error);
      return null;
    });
  }

  /** Writes pending cache lines and stops the pacing timers. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
    await this.cache?.close();
    await this.limiter.stop();
  }

  private async judgeOne(item: JudgeItem, ctx: PluginContext): Promise<Outcome> {
    if (!this.apiKey) {
      return this.fail(item, 'no API key: set DEEPSEEK_API_KEY or the plugin option "apiKey"', 'no-key');
    }
    let criteria: Criterion[] = [];
    if (this.template.rubric) {
      const picked = this.criteriaFor(item);
      if (typeof picked === 'string') return this.fail(item, picked);
      criteria = picked;
    }
    const key = cacheKey({
      model: this.options.model,
      templateVersion: this.template.version,
      rubric: criteria.length > 0 ? createHash('sha256').update(JSON.stringify(criteria)).digest('hex') : '',
      question: item.prompt,
      answer: item.completion,
    });
    const hit = this.cache?.get(key);
    if (hit) {
      this.counters.cache_hits += 1;
      return { judgement: { ...verdictOf(hit), cached: true } };
    }
    const running = this.inflight.get(key);
    if (running) {
      this.counters.coalesced += 1;
      // The first caller carries the usage; a copy without it keeps sums of usage honest.
      return running.then((o) => {
        if ('judgement' in o) return { judgement: withoutUsage(o.judgement) };
        this.counters.failures += 1; // every item without a judgement counts
        return o;
      });
    }
    const call = this.callWithRetries(item, key, criteria, ctx).finally(() => this.inflight.delete(key));
    this.inflight.set(key, call);
    return call;
  }

  private criteriaFor(item: JudgeItem): Criterion[] | string {
    const fromMeta = item.meta?.rubric;
    let criteria = this.options.rubric?.criteria ?? [];
    if (fromMeta !== undefined) {
      const parsed = criterionSchema.array().safeParse(fromMeta);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return `rubric mode: meta.rubric.${issue.path.join('.')}: ${issue.message}`;
      }
      criteria = parsed.data;
    }
    if (!criteria.some((c) => c.points > 0)) {
      return "rubric mode: no criterion with positive points (set option rubric.criteria or the item's meta.rubric)";
    }
    return criteria;
  }

  /**
   * A signal of our own that follows the run's: every in-flight request and backoff listens to it,
   * so it may have many listeners without Node's leak warning (meant for the run's own signal).
   */
  private linkedSignal(runSignal: AbortSignal | undefined): AbortSignal | undefined {
    if (!runSignal) return undefined;
    let linked = this.linkedSignals.get(runSignal);
    if (!linked) {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal);
      if (runSignal.aborted) controller.abort(runSignal.reason);
      else runSignal.addEventListener('abort', () => controller.abort(runSignal.reason), { once: true });
      linked = controller.signal;
      this.linkedSignals.set(runSignal, linked);
    }
    return linked;
  }

  private async callWithRetries(
    item: JudgeItem,
    key: string,
    criteria: Criterion[],
    ctx: PluginContext,
  ): Promise<Outcome> {
    const usage: Required<JudgeUsage> = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, cost: 0 };
    const signal = this.linkedSignal(ctx.signal);
    for (let attempt = 0; ; attempt += 1) {
      if (signal?.aborted) return this.fail(item, 'aborted', 'aborted');
      const prompt = buildPrompt(this.template, item.prompt, item.completion, criteria);
      if (attempt === 0) {
        this.counters.neutralized += Object.values(prompt.neutralized).reduce((a, b) => a + b, 0);
      }
      let error: unknown;
      try {
        const completion = await this.limiter.schedule(
          () => estimateTokens(prompt.system + prompt.user) + this.options.maxTokens,
          // The budget is checked when the call would start, after any wait for a slot, and the
          // cost is booked before the slot is released, so the next call sees it.
          async () => {
            const budgetError = this.budgetError();
            if (budgetError) throw new BudgetError(budgetError);
            const reply = await this.send(prompt.system, prompt.user, signal);
            this.account(reply, usage);
            return reply;
          },
        );
        const content = completion.choices[0]?.message?.content;
        const parsed = this.template.rubric ? parseRubricReply(content, criteria) : parseScoringReply(content);
        const judgement: Judgement = { ...parsed, usage: { ...usage, cost: round(usage.cost) } };
        this.counters.judged += 1;
        await this.store(item, key, judgement);
        return { judgement };
      } catch (caught) {
        error = caught;
      }
      if (error instanceof BudgetError) {
        this.counters.budget_stops += 1;
        return this.fail(item, error.message, 'budget');
      }
      if (error instanceof InvalidReplyError) this.counters.invalid_replies += 1;
      const reason = this.describe(error);
      if (error instanceof APIError && error.status === 401 && !this.authAnnounced) {
        this.authAnnounced = true;
        this.logger.error(`authentication failed at ${this.baseURL}: check DEEPSEEK_API_KEY or the "apiKey" option`);
      }
      if (!isRetryable(error)) return this.fail(item, reason);
      if (attempt >= this.options.retries) {
        return this.fail(item, `gave up after ${attempt + 1} attempts: ${reason}`);
      }
      const delay = retryDelayMs(attempt, this.options, serverWaitOf(error));
      this.counters.retries += 1;
      this.logger.debug(
        `retry ${attempt + 1}/${this.options.retries} for ${item.id} in ${Math.round(delay)} ms: ${reason}`,
      );
      try {
        await sleep(delay, signal);
      } catch {
        return this.fail(item, 'aborted', 'aborted');
      }
    }
  }

  private send(system: string, user: string, signal: AbortSignal | undefined): Promise<ChatCompletion> {
    this.counters.calls += 1;
    this.client ??= new OpenAI({
      apiKey: this.apiKey,
      baseURL: this.baseURL,
      maxRetries: 0, // retries, backoff and Retry-After are handled here, with counters
      timeout: this.options.timeoutMs,
    });
    const body: ChatCompletionCreateParamsNonStreaming & { thinking?: { type: 'disabled' } } = {
      model: this.options.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      temperature: this.options.temperature,
      max_tokens: this.options.maxTokens,
      response_format: { type: 'json_object' },
      stream: false,
      ...(this.options.disableThinking ? { thinking: { type: 'disabled' as const } } : {}),
    };
    return this.client.chat.completions.create(body, {
      signal,
      timeout: this.options.timeoutMs,
      maxRetries: 0,
      headers: { [TEMPLATE_VERSION_HEADER]: this.template.version },
    });
  }

  /** Adds a reply's usage to the item's and the judge's totals; cost uses the configured prices. */
  private account(completion: ChatCompletion, usage: Required<JudgeUsage>): void {
    const u = completion.usage as
      | (ChatCompletion['usage'] & {
          prompt_cache_hit_tokens?: number;
          prompt_tokens_details?: { cached_tokens?: number };
        })
      | undefined;
    if (!u) return;
    const prompt = u.prompt_tokens ?? 0;
    const output = u.completion_tokens ?? 0;
    const cached = Math.min(prompt, u.prompt_cache_hit_tokens ?? u.prompt_tokens_details?.cached_tokens ?? 0);
    const p = this.options.prices;
    const cost =
      ((prompt - cached) * p.inputPerMillion + cached * p.cachedInputPerMillion + output * p.outputPerMillion) / 1e6;
    usage.promptTokens += prompt;
    usage.completionTokens += output;
    usage.cachedPromptTokens += cached;
    usage.cost += cost;
    this.counters.prompt_tokens += prompt;
    this.counters.completion_tokens += output;
    this.counters.cached_prompt_tokens += cached;
    this.counters.cost += cost;
  }

  /** The budget error when the cap is reached, else undefined. */
  private budgetError(): string | undefined {
    const budget = this.options.budget;
    if (budget === null || this.counters.cost < budget) return undefined;
    const currency = this.options.prices.currency;
    return `budget of ${budget} ${currency} reached (spent ${round(this.counters.cost)} ${currency}): no new judge calls`;
  }

  private async store(item: JudgeItem, key: string, judgement: Judgement): Promise<void> {
    if (!this.cache) return;
    const { usage, cached: _cached, ...verdict } = judgement;
    const line: CacheLine = {
      key,
      model: this.options.model,
      template_version: this.template.version,
      id: item.id,
      created_at: new Date().toISOString(),
      ...lineTexts(item.prompt, item.completion, this.options.cacheTextChars),
      judgement: { ...verdict, overall_score: verdict.overall },
      usage,
    };
    try {
      await this.cache.append(line);
    } catch (error) {
      if (!this.cacheWriteAnnounced) {
        this.cacheWriteAnnounced = true;
        this.logger.warn(
          `cannot write the judgement cache ${this.cache.path}: ${this.redact((error as Error).message)}`,
        );
      }
    }
  }

  /**
   * Counts a missing judgement. Item-specific failures are logged per item; run-wide ones (no key,
   * budget, abort) are announced once, not once per item.
   */
  private fail(item: JudgeItem, reason: string, runWide?: 'no-key' | 'budget' | 'aborted'): Outcome {
    this.counters.failures += 1;
    if (runWide === undefined) this.logger.warn(`no judgement for ${item.id}: ${reason}`);
    else if (!this.announced.has(runWide)) {
      this.announced.add(runWide);
      this.logger.warn(reason);
    }
    return { error: reason };
  }

  private rememberFailure(id: string, reason: string): void {
    this.failureReasons.delete(id);
    this.failureReasons.set(id, reason);
    if (this.failureReasons.size > MAX_REMEMBERED_FAILURES) {
      const oldest = this.failureReasons.keys().next().value;
      if (oldest !== undefined) this.failureReasons.delete(oldest);
    }
  }

  /** A one-line reason for an error, with the key scrubbed in case a server echoed it. */
  private describe(error: unknown): string {
    let text: string;
    if (error instanceof InvalidReplyError) text = `invalid reply: ${error.message}`;
    else if (error instanceof APIConnectionTimeoutError) text = `request timed out after ${this.options.timeoutMs} ms`;
    else if (error instanceof APIUserAbortError) text = 'aborted';
    else if (error instanceof APIError && error.status !== undefined) text = `HTTP ${error.status}: ${error.message}`;
    else if (error instanceof APIError) text = `connection error: ${error.message}${causeOf(error)}`;
    else text = error instanceof Error ? error.message : String(error);
    return this.redact(text);
  }

  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('***') : text;
  }
}

/** The budget cap was reached before this call could start. */
class BudgetError extends Error {
  override readonly name = 'BudgetError';
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}

function withoutUsage(judgement: Judgement): Judgement {
  const { usage: _usage, ...rest } = judgement;
  return structuredClone(rest);
}

/** Cost with 8 decimals, so that sums print cleanly. */
function round(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
