import { Inject, Injectable } from '@nestjs/common';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { JobFileMissingError, RangeNotSatisfiableError } from '../jobs/job.errors';
import { ArtifactStore } from './artifact-store';
import { isStoreUri, keyOfStoreUri } from './artifact-uri';
import { parseRangeHeader } from './byte-range';

/**
 * Streams a file with @fastify/send (Range, If-Modified-Since, ETag, content type by extension unless
 * `contentType` is given).
 * @throws RangeNotSatisfiableError (416); JobFileMissingError when the file is gone
 */
export async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, contentType?: string): Promise<FastifyReply> {
  const result = await send(req.raw, path.basename(file), { root: path.dirname(file), dotfiles: 'deny' });
  if (result.type === 'error') {
    if (result.statusCode === 416) {
      const size = (await stat(file).catch(() => null))?.size ?? 0;
      reply.header('content-range', `bytes */${size}`);
      throw new RangeNotSatisfiableError(size);
    }
    throw new JobFileMissingError(file, result.statusCode);
  }
  const headers = contentType ? { ...result.headers, 'content-type': contentType } : result.headers;
  return reply.status(result.statusCode).headers(headers).send(result.stream);
}

/**
 * Answers a file route with an artifact wherever it lives (docs/design/artifacts.md, "Serving"): an
 * `artifact://` URI is streamed from the store (single `Range`s, `ETag` = its SHA-256 when the store has
 * it), or redirected (302) to a presigned URL with `ARTIFACT_REDIRECT=on` on a store that presigns; a local
 * path (jobs written before stage artifacts moved to the store, or the `local` store) is sent from disk.
 */
@Injectable()
export class ArtifactResponder {
  constructor(
    private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * @param location an `artifact://` URI or an absolute path
   * @param contentType overrides the stored (or extension's) content type
   * @throws JobFileMissingError (404) when the artifact is gone; RangeNotSatisfiableError (416)
   */
  async send(req: FastifyRequest, reply: FastifyReply, location: string, contentType?: string): Promise<FastifyReply> {
    if (!isStoreUri(location)) return sendFile(req, reply, location, contentType);
    return this.sendKey(req, reply, keyOfStoreUri(location), contentType, this.config.artifacts.redirect);
  }

  /** Streams (or, with `redirect`, redirects to) the stored artifact `key`. @throws as {@link send} */
  async sendKey(req: FastifyRequest, reply: FastifyReply, key: string, contentType?: string, redirect = false): Promise<FastifyReply> {
    if (redirect) {
      const url = await this.store.presignGetUrl(key, this.config.artifacts.s3.presignSeconds);
      if (url) return reply.code(302).header('location', url).header('cache-control', 'no-store').send();
    }
    const info = await this.store.head(key);
    if (!info) throw new JobFileMissingError(key, 404);
    const type = contentType ?? info.contentType;
    if (info.sha256) {
      const etag = `"${info.sha256}"`;
      void reply.header('etag', etag);
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    }
    void reply.header('accept-ranges', 'bytes').header('content-type', type);
    const wanted = parseRangeHeader(req.headers.range, info.sizeBytes);
    if (wanted.kind === 'unsatisfiable') {
      void reply.header('content-range', `bytes */${info.sizeBytes}`);
      throw new RangeNotSatisfiableError(info.sizeBytes);
    }
    const opened = await this.store.open(key, wanted.kind === 'range' ? wanted.range : undefined);
    if (opened.range) {
      return reply
        .code(206)
        .header('content-range', `bytes ${opened.range.start}-${opened.range.end}/${opened.sizeBytes}`)
        .header('content-length', opened.range.end - opened.range.start + 1)
        .send(opened.stream);
    }
    return reply.code(200).header('content-length', opened.sizeBytes).send(opened.stream);
  }
}
