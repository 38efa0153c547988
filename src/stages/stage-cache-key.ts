import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StageName } from '@app/contracts';

/**
 * Bumped when the cache's key or stored-output format changes, or when a local renderer's output changes for
 * the same inputs without a package version bump: every older entry then misses (docs/design/cache.md).
 */
export const STAGE_CACHE_FORMAT = 1;

/**
 * What determines one stage output besides the stage name (docs/design/cache.md, "The key"):
 * - `provider`: the provider's identity: name, model and model version for hosted providers, the service URL
 *   for the HTTP contract, the code version and output settings for local ones;
 * - `input`: the stage input as it travels in the stage request (artifact URIs are replaced by their content
 *   hash when the key is made, so the same bytes at another path give the same key);
 * - `seed`: a seed that decides the output but is not part of the input, when there is one.
 */
export interface CacheKeyParts {
  provider: Record<string, unknown>;
  input: unknown;
  seed?: number | string | null;
}

/**
 * JSON with object keys sorted (recursively), no whitespace, `undefined` members dropped as `JSON.stringify`
 * drops them: two values equal as JSON give the same string whatever their key order. Pure.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}

/** True for a string naming an artifact in the shared store (`file://` URI), the only kind hashed by content. */
export function isArtifactUri(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('file://');
}

/**
 * Every artifact URI inside `value` (objects and arrays walked), each once, in first-seen order. Pure.
 */
export function artifactUrisIn(value: unknown): string[] {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (isArtifactUri(v)) seen.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(value);
  return [...seen];
}

/**
 * A copy of `value` with every string that `map` has a replacement for replaced (objects and arrays walked;
 * other values kept). Pure.
 */
export function replaceStrings<T>(value: T, map: ReadonlyMap<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return map.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * The cache key of a stage output: SHA-256 (hex) of the canonical JSON of the format version, the stage,
 * the provider identity, the seed and the input with artifact URIs replaced through `contentHashes`
 * (URI → `sha256:<hex>` of the file's bytes). Pure.
 * @throws Error when an artifact URI of the input has no entry in `contentHashes`
 */
export function stageCacheKey(stage: StageName, parts: CacheKeyParts, contentHashes: ReadonlyMap<string, string>): string {
  for (const uri of artifactUrisIn(parts.input)) if (!contentHashes.has(uri)) throw new Error(`no content hash for ${uri}`);
  const material = {
    format: STAGE_CACHE_FORMAT,
    stage,
    provider: parts.provider,
    seed: parts.seed ?? null,
    input: replaceStrings(parts.input, contentHashes),
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/**
 * `sha256:<hex>` of the bytes of a `file://` artifact, streamed (clips and finished ads are megabytes).
 * @throws Error when the file cannot be read
 */
export async function hashArtifact(uri: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(fileURLToPath(uri))) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Hashes every artifact an input refers to and returns its cache key.
 * @throws Error when an artifact cannot be read (the caller then runs the stage uncached)
 */
export async function computeStageCacheKey(stage: StageName, parts: CacheKeyParts): Promise<string> {
  const hashes = new Map<string, string>();
  for (const uri of artifactUrisIn(parts.input)) hashes.set(uri, await hashArtifact(uri));
  return stageCacheKey(stage, parts, hashes);
}
