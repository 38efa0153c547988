import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** A real S3 implementation (s3rver) on 127.0.0.1 and a free port, with one bucket, for one test file. */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects (to check what is stored). */
  directory: string;
  /** The variables that point the app's `s3` adapter at it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver's built-in account (it verifies SigV4 signatures made with this key pair). */
const ACCESS_KEY = 'S3RVER';

/** Starts s3rver with bucket `bucket` (created through its own store, not the S3 API). */
export async function startTestS3(bucket = 'ads-artifacts'): Promise<TestS3> {
  // s3rver ships no types; its constructor options and run()/close() are all this uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      ARTIFACT_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: ACCESS_KEY,
    },
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
