import type { CompositionInput } from '@app/contracts';
import { stageCacheKey } from './stage-cache-key';

/** The composition's cache key follows its requested exports (docs/design/composition.md, "Exports"). */
describe('composition cache key and exports', () => {
  const provider = { name: 'local', version: '1.0.0', exports: { gif: false, webm: false }, brand_font_file: null };
  const hashes = new Map([['file:///a/clip-1.mp4', 'sha256:11']]);
  const input = (exports?: CompositionInput['exports']): CompositionInput => ({
    plan: { scenes: [] } as unknown as CompositionInput['plan'],
    clips: [{ clip_uri: 'file:///a/clip-1.mp4', duration: 5.5, resolution: '1080x1920' }],
    duration: 15,
    aspect_ratio: '9:16',
    brand_guidelines: null,
    ...(exports ? { exports } : {}),
  });
  const key = (i: CompositionInput): string => stageCacheKey('composition', { provider, input: i }, hashes);

  it('should keep the key of a composition without exports as it was (no exports field at all)', () => {
    expect(key(input())).toBe(key({ ...input(), exports: undefined }));
  });

  it('should never give a job that wants exports the key of a composition without them, nor of other exports', () => {
    const keys = [key(input()), key(input(['gif'])), key(input(['gif', 'webm'])), key(input(['mp4:16:9']))];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
