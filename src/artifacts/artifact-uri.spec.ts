import { checkArtifactSignature, isStoreUri, jobArtifactPrefix, keyOfStoreUri, signedArtifactUrl, storeUri } from './artifact-uri';

const SECRET = 'a'.repeat(40);
const NOW = 1_800_000_000;

/** The query of a signed URL, as the route receives it. */
function queryOf(url: string): { key: string; exp: string; sig: string } {
  const q = new URL(url).searchParams;
  return { key: q.get('key')!, exp: q.get('exp')!, sig: q.get('sig')! };
}

describe('artifact:// URIs', () => {
  it('should round-trip a key and refuse anything that is not a store URI or a valid key', () => {
    const uri = storeUri('jobs/j1/storyboard/a1/still-1.png');
    expect(uri).toBe('artifact://jobs/j1/storyboard/a1/still-1.png');
    expect(isStoreUri(uri)).toBe(true);
    expect(isStoreUri('file:///tmp/x.png')).toBe(false);
    expect(keyOfStoreUri(uri)).toBe('jobs/j1/storyboard/a1/still-1.png');
    expect(() => keyOfStoreUri('file:///etc/passwd')).toThrow(/not an artifact/);
    expect(() => keyOfStoreUri('artifact://../etc/passwd')).toThrow(/invalid artifact key/);
    expect(() => storeUri('/abs')).toThrow(/invalid artifact key/);
    expect(jobArtifactPrefix('j1')).toBe('jobs/j1');
  });
});

describe('signed artifact URLs', () => {
  const url = signedArtifactUrl('http://app.test/', SECRET, 'jobs/j1/image_generation/a1/reference.png', 900, NOW);

  it('should point at the signed route with the key, the expiry in Unix seconds and a signature', () => {
    expect(url.startsWith('http://app.test/api/v1/artifacts?')).toBe(true);
    const q = queryOf(url);
    expect(q.key).toBe('jobs/j1/image_generation/a1/reference.png');
    expect(Number(q.exp)).toBe(NOW + 900);
    expect(q.sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should accept the URL until it expires and refuse it after', () => {
    expect(checkArtifactSignature(SECRET, queryOf(url), NOW)).toBeNull();
    expect(checkArtifactSignature(SECRET, queryOf(url), NOW + 900)).toBeNull();
    expect(checkArtifactSignature(SECRET, queryOf(url), NOW + 901)).toBe('expired');
  });

  it('should refuse another key, a pushed-back expiry, another secret or a changed signature', () => {
    const q = queryOf(url);
    expect(checkArtifactSignature(SECRET, { ...q, key: 'jobs/j2/image_generation/a1/reference.png' }, NOW)).toBe('bad_signature');
    expect(checkArtifactSignature(SECRET, { ...q, exp: String(NOW + 99_999) }, NOW)).toBe('bad_signature');
    expect(checkArtifactSignature('b'.repeat(40), q, NOW)).toBe('bad_signature');
    const flipped = (q.sig[0] === 'A' ? 'B' : 'A') + q.sig.slice(1);
    expect(checkArtifactSignature(SECRET, { ...q, sig: flipped }, NOW)).toBe('bad_signature');
    expect(checkArtifactSignature(SECRET, { ...q, sig: q.sig.slice(0, 10) }, NOW)).toBe('bad_signature');
    expect(checkArtifactSignature(SECRET, { ...q, sig: `${q.sig}x` }, NOW)).toBe('bad_signature');
  });

  it('should call a request missing a part, with a non-numeric expiry or a bad key malformed', () => {
    const q = queryOf(url);
    expect(checkArtifactSignature(SECRET, { key: q.key, exp: q.exp }, NOW)).toBe('malformed');
    expect(checkArtifactSignature(SECRET, { ...q, exp: '1e12' }, NOW)).toBe('malformed');
    expect(checkArtifactSignature(SECRET, { ...q, key: '../secret' }, NOW)).toBe('malformed');
    expect(checkArtifactSignature(SECRET, { ...q, key: ['a', 'b'] }, NOW)).toBe('malformed');
    expect(checkArtifactSignature(SECRET, {}, NOW)).toBe('malformed');
  });
});
