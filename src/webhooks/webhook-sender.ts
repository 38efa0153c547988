import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { CheckedTarget } from './address-guard';

/** Bytes of a response body kept in the attempt record. */
export const RESPONSE_EXCERPT_BYTES = 1024;

/**
 * The `webhook-signature` header (Standard Webhooks): one `v1,<base64 HMAC-SHA256>` per active secret,
 * space-separated, over `<id>.<timestamp seconds>.<body>`, so a receiver holding any one of the secrets
 * verifies during a rotation. Signed by the `standardwebhooks` package.
 * @param secrets `whsec_…` secrets, newest first
 */
export function signatureHeader(secrets: string[], id: string, timestamp: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' ');
}

/** Outcome of one HTTP attempt. `status` is null when no response came (timeout, connection error). */
export interface SendResult {
  status: number | null;
  excerpt: string | null;
  retryAfterSeconds: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * `Retry-After` as seconds from `now` (delta seconds or an HTTP date), or null when absent or malformed. Pure.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, (at - now.getTime()) / 1000) : null;
}

/**
 * POSTs `body` to a checked target, connecting to its checked address only (the lookup is pinned, so the
 * host is never resolved again), with TLS still verified against the host name. Redirects are not followed
 * (a 3xx is a failed attempt); the whole attempt is bounded by `timeoutMs`; at most
 * {@link RESPONSE_EXCERPT_BYTES} of the response are read.
 */
export function sendWebhook(target: CheckedTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
  const started = Date.now();
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  const mod = target.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    const req = mod.request(
      target.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinned,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'ad-orchestrator-webhooks/1' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(c.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept += Math.min(c.length, RESPONSE_EXCERPT_BYTES - kept);
          } else res.destroy();
        });
        const finish = (): void =>
          done({
            status: res.statusCode ?? null,
            excerpt: Buffer.concat(chunks).toString('utf8'),
            retryAfterSeconds: parseRetryAfter(res.headers['retry-after'], new Date()),
            error: null,
          });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => done({ status: null, excerpt: null, retryAfterSeconds: null, error: err.message }));
    req.end(body);
  });
}
