import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JobEventStreamService } from './job-event-stream.service';

/** `GET /api/v1/jobs/{job_id}/events`: the job's events as Server-Sent Events (docs/events.md). */
@ApiTags('jobs')
@Controller()
export class JobEventsController {
  constructor(private readonly stream: JobEventStreamService) {}

  @Get('api/v1/jobs/:job_id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Live job events (text/event-stream); resume with Last-Event-ID (or ?last_event_id=); ends after the terminal event.' })
  events(
    @Param('job_id') jobId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('last_event_id') lastEventIdQuery: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.stream.open(jobId, lastEventId ?? lastEventIdQuery, req.raw, reply.raw, () => {
      reply.hijack(); // returns the (thenable) reply; nothing to wait for
    });
  }
}
