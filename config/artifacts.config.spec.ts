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
});
