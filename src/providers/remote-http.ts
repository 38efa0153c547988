import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StageName } from '@app/contracts';
import { ProviderError, faultOfStatus, parseRetryAfterMs } from './provider.errors';

/**
 * Plain-fetch helpers of the Replicate and HTTP-contract adapters: every outcome becomes a typed
 * {@link ProviderError} (status → fault, `Retry-After` → retryAfterMs, no answer → connection, body that is
 * not JSON → invalid_output). Aborts are rethrown untouched: the resilience policy knows whether the stage
 * timeout or a cancellation fired.
 */

/** A JSON answer. */
export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** What {@link requestJson} sends. Headers may carry a secret: they are never logged or put in errors. */
export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal: AbortSignal;
  stage: StageName;
  /** Name used in error messages (`replicate`, `http /generate-video`). */
  service: string;
}

/** Keeps error text short and single-line: a body may be a whole HTML page. */
function snippet(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Fetch that maps network failures to `connection` and lets aborts through. */
async function send(url: string, init: RequestInit, stage: StageName, service: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new ProviderError('connection', stage, `${service} unreachable${cause?.code ? ` (${cause.code})` : ''}`, { cause: err });
  }
}

/** Reads an error answer's message: `{detail}` (Replicate), `{error: {message}}` (OpenAI-style) or `{error}`. */
function errorMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; error?: unknown; message?: unknown; title?: unknown };
    const e = parsed.error;
    const msg = parsed.detail ?? (typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : e) ?? parsed.message ?? parsed.title;
    if (typeof msg === 'string') return snippet(msg);
  } catch {
    /* not JSON: use the text */
  }
  return snippet(text);
}

/**
 * Sends a JSON request and parses a JSON answer.
 * @throws ProviderError classified by status (see {@link faultOfStatus}); `invalid_output` for a 2xx body that
 *   is not JSON
 */
export async function requestJson<T>(req: JsonRequest): Promise<JsonResponse<T>> {
  const res = await send(
    req.url,
    {
      method: req.method,
      headers: { accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
      body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
      signal: req.signal,
    },
    req.stage,
    req.service,
  );
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    if (req.signal.aborted) throw err;
    throw new ProviderError('connection', req.stage, `${req.service} closed the connection mid-answer`, { cause: err, status: res.status });
  }
  const fault = faultOfStatus(res.status);
  if (fault) {
    throw new ProviderError(fault, req.stage, `${req.service} answered ${res.status}: ${errorMessageOf(text) || res.statusText}`, {
      status: res.status,
      retryAfterMs: fault === 'rate_limited' ? parseRetryAfterMs(res.headers) : undefined,
    });
  }
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as T };
  } catch (err) {
    throw new ProviderError('invalid_output', req.stage, `${req.service} answered ${res.status} with a body that is not JSON: ${snippet(text).slice(0, 80)}`, {
      status: res.status,
      cause: err,
    });
  }
}

/**
 * Downloads `url` into `destPath` (written to a temp name and renamed, so a partial file never exists).
 * @returns bytes written
 * @throws ProviderError: 404/410 → `invalid_output` (the promised file is gone), 5xx/429 transient, empty body →
 *   `invalid_output`
 */
export async function downloadTo(
  url: string,
  destPath: string,
  opts: { signal: AbortSignal; stage: StageName; service: string; headers?: Record<string, string> },
): Promise<number> {
  const res = await send(url, { headers: opts.headers, signal: opts.signal }, opts.stage, opts.service);
  const fault = faultOfStatus(res.status);
  if (fault) {
    await res.body?.cancel().catch(() => undefined);
    const permanent = fault === 'model_unavailable' || fault === 'client';
    throw new ProviderError(permanent ? 'invalid_output' : fault, opts.stage, `${opts.service} output download answered ${res.status}`, {
      status: res.status,
      retryAfterMs: fault === 'rate_limited' ? parseRetryAfterMs(res.headers) : undefined,
    });
  }
  if (!res.body) throw new ProviderError('invalid_output', opts.stage, `${opts.service} output download had no body`);
  const tmp = `${destPath}.part-${process.pid}-${Date.now()}`;
  let bytes = 0;
  try {
    const counted = Readable.fromWeb(res.body).on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await pipeline(counted, createWriteStream(tmp), { signal: opts.signal });
  } catch (err) {
    await rm(tmp, { force: true });
    if (opts.signal.aborted) throw err;
    throw new ProviderError('connection', opts.stage, `${opts.service} output download broke off after ${bytes} bytes`, { cause: err });
  }
  if (bytes === 0) {
    await rm(tmp, { force: true });
    throw new ProviderError('invalid_output', opts.stage, `${opts.service} output file is empty`);
  }
  await rename(tmp, destPath);
  return bytes;
}
