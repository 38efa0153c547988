import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { Public } from '../access/access.decorators';
import { AppError } from '../common/app-error';
import { ArtifactResponder } from './artifact-responder';
import { checkArtifactSignature } from './artifact-uri';

const SIGNED_QUERY_SCHEMA = {
  type: 'object',
  properties: { key: { type: 'string', maxLength: 1024 }, exp: { type: 'string', maxLength: 12 }, sig: { type: 'string', maxLength: 100 } },
} as const;

/**
 * The signed artifact route (docs/design/artifacts.md, "The signed artifact route"): remote team services
 * fetch a stage's input artifacts here with a short-lived HMAC-signed URL, no API key. The signature, not
 * the caller, is the credential, so the route is public and the signature names the one key it opens.
 */
@ApiTags('artifacts')
@Controller()
export class ArtifactsController {
  constructor(
    private readonly responder: ArtifactResponder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api/v1/artifacts')
  @Public()
  @RouteSchema({ querystring: SIGNED_QUERY_SCHEMA })
  @ApiOperation({ summary: 'A stage artifact by a signed URL (key, exp in Unix seconds, sig); HTTP range requests.' })
  @ApiResponse({ status: 403, description: 'FORBIDDEN: bad or expired signature' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: nothing stored under the key' })
  async get(@Query() q: { key?: string; exp?: string; sig?: string }, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const problem = checkArtifactSignature(this.config.artifacts.urlSecret.reveal(), q);
    if (problem) {
      const message = problem === 'expired' ? 'the artifact URL has expired' : problem === 'malformed' ? 'the artifact URL is incomplete' : 'the artifact URL signature does not match';
      throw new AppError('FORBIDDEN', message, { details: { reason: problem } });
    }
    return this.responder.sendKey(req, reply, q.key!);
  }
}
