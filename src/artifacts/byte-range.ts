import type { ByteRange } from './artifact-store';

/** What a `Range` header asks of a `sizeBytes`-byte artifact (RFC 9110 §14.2). */
export type RangeRequest = { kind: 'whole' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Parses a single `bytes=` range against the artifact's size. Pure.
 * `bytes=a-b` (end clamped), `bytes=a-` and the suffix form `bytes=-n` are served; a start at or past the end,
 * or `bytes=-0`, is unsatisfiable (416). No header, another unit, a malformed value or several ranges are
 * answered with the whole artifact, as RFC 9110 allows a server to ignore such a header.
 */
export function parseRangeHeader(header: string | undefined, sizeBytes: number): RangeRequest {
  if (!header) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || sizeBytes === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, sizeBytes - suffix), end: sizeBytes - 1 } };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? sizeBytes - 1 : Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: 'whole' };
  if (start >= sizeBytes) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'whole' };
  return { kind: 'range', range: { start, end: Math.min(end, sizeBytes - 1) } };
}
