import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Plumbing of the fake servers: a node:http server on 127.0.0.1:0, a route table, scripted and random faults
 * per route, and a record of every call (to assert that a cancel reached the fake, or that a resumed attempt
 * did not create a second paid prediction).
 */

/** Faults a route can be scripted to answer with. */
export type Fault =
  /** 429 with `Retry-After: <retryAfterSeconds>`. */
  | '429'
  | '500'
  | '503'
  /** Never answers (until the server closes). */
  | 'hang'
  /** Resets the connection without an answer. */
  | 'reset'
  /** 200 with a body that is not JSON. */
  | 'malformed'
  /** The API's own content refusal (OpenAI refusal, Replicate failed prediction, contract success:false). */
  | 'content_policy'
  /** 422 input rejected. */
  | '422'
  /** 404 model or route not found. */
  | '404'
  /** OpenAI: a plan that breaks `validateAdPlan` beyond arithmetic (durations off, hook too long), for the repair path. */
  | 'invalid_plan'
  /** OpenAI: a schema-valid plan with wrong duration sums, overlays outside their scenes, off numbering (arithmetic repair). */
  | 'wrong_sums';

/** Transient faults the random rate draws from. */
export const RANDOM_TRANSIENT: readonly Fault[] = ['500', '503', '429', 'reset'];

/** One recorded call. */
export interface RecordedCall {
  method: string;
  path: string;
  route: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  fault: Fault | null;
}

/** A request as handlers see it. */
export interface FakeRequest {
  method: string;
  path: string;
  params: string[];
  body: unknown;
  raw: IncomingMessage;
  fault: Fault | null;
}

type Handler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Fault key (e.g. `chat`, `create:minimax/video-01`). A function derives it from the path params. */
  key: string | ((params: string[]) => string);
  handler: Handler;
  /** Files are not subject to the random fault rate. */
  random: boolean;
}

/** Options of a fake server. */
export interface FakeServerOptions {
  /** Share of requests on API routes that get a random transient fault, 0-1. */
  transientRate?: number;
  /** `Retry-After` of 429 answers, seconds. */
  retryAfterSeconds?: number;
  /** Seeded RNG for the random faults (default: a small LCG seeded with 42, so soak runs are repeatable). */
  random?: () => number;
}

/** A linear congruential generator: a repeatable random source for fault injection. */
export function seededRandom(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export class FakeHttpServer {
  readonly calls: RecordedCall[] = [];
  private readonly routes: Route[] = [];
  private readonly scripted = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  url = '';
  transientRate: number;
  retryAfterSeconds: number;
  private readonly random: () => number;

  constructor(options: FakeServerOptions = {}) {
    this.transientRate = options.transientRate ?? 0;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.random = options.random ?? seededRandom();
  }

  /** Adds a route; `key` names its fault queue. */
  on(method: string, pattern: RegExp, key: Route['key'], handler: Handler, random = true): this {
    this.routes.push({ method, pattern, key, handler, random });
    return this;
  }

  /** Queues faults for the next calls of a route key, in order. */
  script(key: string, ...faults: Fault[]): this {
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), ...faults]);
    return this;
  }

  /** Forgets scripted faults and recorded calls. */
  reset(): void {
    this.scripted.clear();
    this.calls.length = 0;
  }

  /** Calls recorded for a route key. */
  callsOf(key: string): RecordedCall[] {
    return this.calls.filter((c) => c.route === key);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Takes the next scripted fault of a key, if any (for faults a handler applies later, e.g. an outcome). */
  protected takeScripted(key: string): Fault | null {
    const queue = this.scripted.get(key);
    return queue && queue.length > 0 ? queue.shift()! : null;
  }

  private nextFault(key: string, random: boolean): Fault | null {
    const scripted = this.takeScripted(key);
    if (scripted) return scripted;
    if (random && this.transientRate > 0 && this.random() < this.transientRate) {
      return RANDOM_TRANSIENT[Math.floor(this.random() * RANDOM_TRANSIENT.length)];
    }
    return null;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    for (const route of this.routes) {
      const m = route.method === req.method ? route.pattern.exec(url.pathname) : null;
      if (!m) continue;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      const key = typeof route.key === 'string' ? route.key : route.key(params);
      const fault = this.nextFault(key, route.random);
      this.calls.push({ method: req.method ?? '', path: url.pathname, route: key, body, headers: req.headers, fault });
      if (fault && this.applyTransportFault(fault, res)) return;
      try {
        await route.handler({ method: req.method ?? '', path: url.pathname, params, body, raw: req, fault }, res);
      } catch (err) {
        json(res, 500, { detail: `fake handler crashed: ${(err as Error).message}` });
      }
      return;
    }
    json(res, 404, { detail: 'Not found' });
  }

  /** Answers faults that look the same on every API. @returns true when the fault was answered here. */
  private applyTransportFault(fault: Fault, res: ServerResponse): boolean {
    switch (fault) {
      case '429':
        res.setHeader('retry-after', String(this.retryAfterSeconds));
        json(res, 429, { detail: 'Request was throttled.', status: 429, error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
        return true;
      case '500':
        json(res, 500, { detail: 'Internal server error', error: { message: 'The server had an error', type: 'server_error' } });
        return true;
      case '503':
        json(res, 503, { detail: 'Service unavailable', error: { message: 'overloaded', type: 'server_error' } });
        return true;
      case 'hang':
        return true; // never answer; close() destroys the socket
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "oops", <html>502 Bad Gateway</html>');
        return true;
      case '422':
        json(res, 422, { detail: 'Input validation failed: prompt is required', status: 422, title: 'Unprocessable Entity', error: { message: 'Invalid input', type: 'invalid_request_error' } });
        return true;
      case '404':
        json(res, 404, { detail: 'The requested resource could not be found.', status: 404, error: { message: 'model not found', type: 'invalid_request_error', code: 'model_not_found' } });
        return true;
      case 'content_policy':
      case 'invalid_plan':
      case 'wrong_sums':
        return false; // API-specific faults are the handler's
    }
  }
}

/** Sends a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Streams a file. */
export async function sendFile(res: ServerResponse, file: string, contentType: string): Promise<void> {
  const { size } = await stat(file);
  res.writeHead(200, { 'content-type': contentType, 'content-length': size });
  createReadStream(file).pipe(res);
}
