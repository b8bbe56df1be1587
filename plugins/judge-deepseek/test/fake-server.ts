/**
 * A real HTTP server on 127.0.0.1 (random port) that speaks OpenAI chat completions, for tests
 * and bench/judge.ts. Each request is recorded (headers, parsed body, arrival time) and answered
 * by a responder that may inject faults: an HTTP error with headers, a hang, any reply content.
 * Imports only node built-ins.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  response_format?: { type: string };
  thinking?: { type: string };
  [key: string]: unknown;
}

export interface RecordedRequest {
  index: number;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: ChatRequestBody;
  /** ms since the server started. */
  at: number;
  /** The user message (template + data blocks). */
  user: string;
}

export interface UsageReply {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_cache_hit_tokens?: number;
}

/** What to do with one request. */
export type Reply =
  | { kind: 'content'; content: string | null; usage?: UsageReply; delayMs?: number }
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string; delayMs?: number }
  | { kind: 'hang' };

export type Responder = (request: RecordedRequest) => Reply | Promise<Reply>;

export const DEFAULT_USAGE: UsageReply = { prompt_tokens: 1000, completion_tokens: 100, prompt_cache_hit_tokens: 600 };

/** A valid scoring reply. */
export function scoresReply(
  scores: { safety: number; reasoning: number; completeness: number; empathy: number } = {
    safety: 8,
    reasoning: 7,
    completeness: 6,
    empathy: 5,
  },
  overall = 0.7,
  critique = '回答基本安全，建议补充就医指征。',
): Reply {
  return { kind: 'content', content: JSON.stringify({ scores, overall_score: overall, critique }) };
}

/** The text between the ANSWER nonce delimiters of a recorded prompt, or undefined. */
export function answerBlock(user: string): { nonce: string; text: string } | undefined {
  const match = /<<<ANSWER ([0-9a-f]{16})>>>\n([\s\S]*?)\n<<<END ANSWER \1>>>/.exec(user);
  return match ? { nonce: match[1]!, text: match[2]! } : undefined;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Most requests being handled at the same time so far. */
  readonly maxInFlight: number;
  /** Replaces the responder (e.g. per test case). */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startFakeServer(
  options: { responder?: Responder; latencyMs?: number; record?: boolean } = {},
): Promise<FakeServer> {
  let responder: Responder = options.responder ?? (() => scoresReply());
  const latency = options.latencyMs ?? 0;
  const record = options.record ?? true;
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  let count = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ChatRequestBody;
      try {
        body = JSON.parse(rawBody) as ChatRequestBody;
      } catch {
        send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const recorded: RecordedRequest = {
        index: count++,
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body,
        at: Date.now() - started,
        user: body.messages?.find((m) => m.role === 'user')?.content ?? '',
      };
      if (record) requests.push(recorded);
      void Promise.resolve(responder(recorded)).then((reply) => {
        if (reply.kind === 'hang') return; // never answer; close() destroys the socket
        const delay = (reply.delayMs ?? 0) + latency;
        setTimeout(() => {
          if (res.destroyed) return;
          if (reply.kind === 'status') {
            send(
              res,
              reply.status,
              { error: { message: reply.message ?? `fault ${reply.status}`, type: 'server_error' } },
              reply.headers,
            );
            return;
          }
          send(res, 200, {
            id: `chatcmpl-${recorded.index}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
            usage: {
              ...(reply.usage ?? DEFAULT_USAGE),
              total_tokens:
                (reply.usage ?? DEFAULT_USAGE).prompt_tokens + (reply.usage ?? DEFAULT_USAGE).completion_tokens,
            },
          });
        }, delay);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    respond(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
