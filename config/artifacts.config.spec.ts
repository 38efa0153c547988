import * as path from 'node:path';
import { loadArtifactsConfig } from './artifacts.config';

describe('loadArtifactsConfig', () => {
  const load = (env: NodeJS.ProcessEnv) => {
    const problems: string[] = [];
    const config = loadArtifactsConfig(env, '/srv/artifacts', problems);
    return { config, problems };
  };

  it('should default to the local store under ARTIFACT_DIR/store, with path-style S3 settings ready', () => {
    const { config, problems } = load({});
    expect(problems).toEqual([]);
    expect(config.store).toBe('local');
    expect(config.localRoot).toBe(path.join('/srv/artifacts', 'store'));
    expect(config.s3).toMatchObject({ bucket: '', endpoint: null, region: 'us-east-1', forcePathStyle: true, presignSeconds: 900 });
    expect(config.s3.accessKeyId.isSet).toBe(false);
  });

  it('should read an s3 store and keep its secret out of JSON', () => {
    const { config, problems } = load({
      ARTIFACT_STORE: 'S3',
      S3_BUCKET: 'ad-artifacts',
      S3_ENDPOINT: 'http://minio:9000/',
      S3_REGION: 'eu-west-1',
      S3_FORCE_PATH_STYLE: 'false',
      S3_PRESIGN_SECONDS: '60',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'very-secret',
    });
    expect(problems).toEqual([]);
    expect(config.store).toBe('s3');
    expect(config.s3).toMatchObject({ bucket: 'ad-artifacts', endpoint: 'http://minio:9000', region: 'eu-west-1', forcePathStyle: false, presignSeconds: 60 });
    expect(config.s3.secretAccessKey.reveal()).toBe('very-secret');
    expect(JSON.stringify(config)).not.toContain('very-secret');
  });

  it('should name every bad variable', () => {
    const { problems } = load({ ARTIFACT_STORE: 'ftp', S3_ENDPOINT: 'minio:9000', S3_FORCE_PATH_STYLE: 'maybe', S3_PRESIGN_SECONDS: '0', AWS_ACCESS_KEY_ID: 'only-the-id' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ARTIFACT_STORE', 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', 'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'S3_PRESIGN_SECONDS'].sort());
    expect(load({ ARTIFACT_STORE: 's3' }).problems).toEqual([expect.stringMatching(/^S3_BUCKET: /)]);
    expect(load({ ARTIFACT_STORE: 's3', S3_BUCKET: 'Bad_Bucket' }).problems).toEqual([expect.stringMatching(/^S3_BUCKET: /)]);
  });

  it('should route stage outputs through the store only with s3, and read the signed-URL settings', () => {
    expect(load({}).config).toMatchObject({ stageThroughStore: false, urlSeconds: 900, redirect: false });
    const secret = 'x'.repeat(40);
    const { config, problems } = load({ ARTIFACT_STORE: 's3', S3_BUCKET: 'ad-artifacts', ARTIFACT_URL_SECRET: secret, ARTIFACT_URL_SECONDS: '120', ARTIFACT_REDIRECT: 'on' });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ stageThroughStore: true, urlSeconds: 120, redirect: true });
    expect(config.urlSecret.reveal()).toBe(secret);
    expect(JSON.stringify(config)).not.toContain(secret);
  });

  it('should draw a random signing key per process when none is set, and refuse short keys and bad values', () => {
    const a = load({}).config.urlSecret.reveal();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(load({}).config.urlSecret.reveal()).not.toBe(a);
    const { problems } = load({ ARTIFACT_URL_SECRET: 'short', ARTIFACT_URL_SECONDS: '5', ARTIFACT_REDIRECT: 'yes' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ARTIFACT_REDIRECT', 'ARTIFACT_URL_SECONDS', 'ARTIFACT_URL_SECRET']);
  });
});
