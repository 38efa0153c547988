import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimit } from '../access/access.decorators';
import { CurrentPrincipal, type Principal } from '../access/principal';
import { parseRangeHeader } from '../artifacts/byte-range';
import { RangeNotSatisfiableError } from '../jobs/job.errors';
import { InvalidAssetError } from './asset-inspector';
import { AssetsService } from './assets.service';

/** Routes with an `:asset_id` parameter (bounded before anything else reads it). */
const ASSET_ID_PARAMS_SCHEMA = { type: 'object', properties: { asset_id: { type: 'string', maxLength: 100 } } } as const;

/**
 * Asset upload and reads of API v2 (docs/api.md, "Assets"), under `/api/v2` by URI versioning like the job
 * routes. Every read checks ownership first (docs/security.md, "Ownership").
 */
@ApiTags('v2')
@Controller({ version: '2' })
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Post('upload-asset')
  @HttpCode(201)
  @ApiOperation({ summary: 'Upload a logo, product image or footage: jpg, png, mp4 or mov, at most 50 MB, checked by content.' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 201, description: '{assetId, url, type, mimeType, width, height, durationSeconds?, sizeBytes, sha256, createdAt}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT with details.reason (unsupported_type, too_large, truncated, trailing_data, corrupt, undecodable, no_video_stream...)' })
  @RateLimit('upload')
  async upload(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    try {
      const { asset, replayed } = await this.assets.upload(req, principal);
      if (replayed) void reply.header('Idempotent-Replayed', 'true');
      return asset;
    } catch (err) {
      // The rest of an oversized body is not read: the connection closes after the answer.
      if (err instanceof InvalidAssetError && err.reason === 'too_large') void reply.header('connection', 'close');
      throw err;
    }
  }

  @Get('assets/:asset_id')
  @RouteSchema({ params: ASSET_ID_PARAMS_SCHEMA })
  @ApiOperation({ summary: "An asset's metadata (404 for another client's asset)." })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  get(@Param('asset_id') assetId: string, @CurrentPrincipal() principal: Principal) {
    return this.assets.get(assetId, principal);
  }

  @Get('assets/:asset_id/data')
  @RouteSchema({ params: ASSET_ID_PARAMS_SCHEMA })
  @ApiOperation({ summary: "An asset's bytes with its content type (HTTP range requests; ETag is the SHA-256)." })
  @ApiResponse({ status: 206, description: 'Partial content for a Range request' })
  @ApiResponse({ status: 416, description: 'RANGE_NOT_SATISFIABLE with Content-Range: bytes */size' })
  async data(@Param('asset_id') assetId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    const asset = await this.assets.find(assetId, principal);
    const etag = `"${asset.sha256}"`;
    void reply.header('etag', etag).header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=3600');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    const wanted = parseRangeHeader(req.headers.range, asset.sizeBytes);
    if (wanted.kind === 'unsatisfiable') {
      void reply.header('content-range', `bytes */${asset.sizeBytes}`);
      throw new RangeNotSatisfiableError(asset.sizeBytes);
    }
    const opened = await this.assets.open(asset, wanted.kind === 'range' ? wanted.range : undefined);
    void reply.header('content-type', asset.mimeType).header('content-disposition', `inline; filename="${asset.id}.${asset.storageKey.split('.').pop()}"`);
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
