import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StageName } from '@app/contracts';
import { artifactUrisIn, canonicalJson, computeStageCacheKey, replaceStrings, stageCacheKey, type CacheKeyParts } from './stage-cache-key';

const LOCAL = { name: 'local', version: '1.0.0' };
const HASHES = new Map([
  ['file:///a/jobs/1/reference.png', 'sha256:aaa'],
  ['file:///a/jobs/2/reference.png', 'sha256:aaa'],
  ['file:///a/jobs/3/reference.png', 'sha256:bbb'],
]);
const clipInput = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  scene_index: 0,
  scene_count: 3,
  reference_image_uri: 'file:///a/jobs/1/reference.png',
  clip_duration: 5.5,
  aspect_ratio: '9:16',
  brand_guidelines: { primary_color: '#D4AF37', style: 'luxury' },
  ...over,
});
const key = (parts: Partial<CacheKeyParts>, stage: StageName = 'video_generation'): string =>
  stageCacheKey(stage, { provider: LOCAL, input: clipInput(), ...parts }, HASHES);

describe('canonicalJson', () => {
  it.each([
    ['nested key order', { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }, '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}'],
    ['undefined members dropped', { a: undefined, b: 2 }, '{"b":2}'],
    ['undefined in arrays as null', [undefined, 1], '[null,1]'],
    ['scalars as JSON', ['x', 1.5, true, null], '["x",1.5,true,null]'],
  ])('should write %s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

describe('stageCacheKey', () => {
  const base = key({});

  it.each<[string, Partial<CacheKeyParts>, StageName]>([
    ['the same bytes at another path', { input: clipInput({ reference_image_uri: 'file:///a/jobs/2/reference.png' }) }, 'video_generation'],
    ['the same input with its keys in another order', { input: Object.fromEntries(Object.entries(clipInput()).reverse()) }, 'video_generation'],
    ['nested keys in another order', { input: clipInput({ brand_guidelines: { style: 'luxury', primary_color: '#D4AF37' } }) }, 'video_generation'],
    ['the provider identity with its keys in another order', { provider: { version: '1.0.0', name: 'local' } }, 'video_generation'],
  ])('should give the same key for %s', (_name, parts, stage) => {
    expect(key(parts, stage)).toBe(base);
  });

  it.each<[string, Partial<CacheKeyParts>, StageName]>([
    ['other bytes in the input artifact', { input: clipInput({ reference_image_uri: 'file:///a/jobs/3/reference.png' }) }, 'video_generation'],
    ['a changed scalar field', { input: clipInput({ clip_duration: 5.6 }) }, 'video_generation'],
    ['a changed nested field', { input: clipInput({ brand_guidelines: { primary_color: '#D4AF38', style: 'luxury' } }) }, 'video_generation'],
    ['an added field', { input: clipInput({ extra: 1 }) }, 'video_generation'],
    ['another aspect ratio', { input: clipInput({ aspect_ratio: '16:9' }) }, 'video_generation'],
    ['another provider', { provider: { name: 'http', url: 'http://video.internal' } }, 'video_generation'],
    ['another model', { provider: { name: 'replicate', models: ['minimax/video-01'] } }, 'video_generation'],
    ['another code version of the local provider', { provider: { name: 'local', version: '1.0.1' } }, 'video_generation'],
    ['a seed', { seed: 7 }, 'video_generation'],
    ['another stage', {}, 'composition'],
  ])('should give another key for %s', (_name, parts, stage) => {
    expect(key(parts, stage)).not.toBe(base);
  });

  it('should give a different key for two different seeds', () => {
    expect(key({ seed: 1 })).not.toBe(key({ seed: 2 }));
  });

  it('should give a different key for another version of the same model', () => {
    const replicate = (models: string[]): string => key({ provider: { name: 'replicate', models } });
    expect(replicate(['minimax/video-01'])).not.toBe(replicate(['minimax/video-01:5aa835260ff7']));
    expect(replicate(['minimax/video-01', 'kwaivgi/kling-v1.6-standard'])).not.toBe(replicate(['kwaivgi/kling-v1.6-standard', 'minimax/video-01']));
  });

  it('should be 64 hex digits (SHA-256)', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should refuse an input artifact it has no content hash for', () => {
    expect(() => stageCacheKey('video_generation', { provider: LOCAL, input: { uri: 'file:///elsewhere.png' } }, HASHES)).toThrow(/no content hash/);
  });
});

describe('computeStageCacheKey', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cache-key-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should hash input artifacts by their bytes, not their paths', async () => {
    const write = (name: string, bytes: string): string => {
      const p = path.join(dir, name);
      writeFileSync(p, bytes);
      return pathToFileURL(p).href;
    };
    const a = write('a.png', 'same bytes');
    const b = write('b.png', 'same bytes');
    const c = write('c.png', 'other bytes');
    const of = (uri: string): Promise<string> => computeStageCacheKey('composition', { provider: LOCAL, input: { clips: [{ clip_uri: uri, duration: 5 }] } });
    expect(await of(a)).toBe(await of(b));
    expect(await of(a)).not.toBe(await of(c));
  });

  it('should fail when an input artifact cannot be read', async () => {
    await expect(computeStageCacheKey('composition', { provider: LOCAL, input: { uri: pathToFileURL(path.join(dir, 'missing.png')).href } })).rejects.toThrow();
  });
});

describe('artifactUrisIn and replaceStrings', () => {
  const output = { video_uri: 'file:///j/final.mp4', thumbnail_uri: 'file:///j/thumbnail.jpg', nested: [{ u: 'file:///j/final.mp4' }], url: 'https://x/y.mp4', n: 3 };

  it('should list each file URI once, in first-seen order, and leave other strings alone', () => {
    expect(artifactUrisIn(output)).toEqual(['file:///j/final.mp4', 'file:///j/thumbnail.jpg']);
  });

  it('should replace every occurrence of a mapped string and keep the rest', () => {
    const out = replaceStrings(output, new Map([['file:///j/final.mp4', 'file:///c/final.mp4']]));
    expect(out).toEqual({ ...output, video_uri: 'file:///c/final.mp4', nested: [{ u: 'file:///c/final.mp4' }] });
    expect(output.video_uri).toBe('file:///j/final.mp4');
  });
});
