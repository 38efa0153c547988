import { STAGES } from '@app/contracts';

/**
 * JSON schemas of the read routes' 200 bodies, given to Fastify as response schemas so it serializes them
 * with a compiled serializer (fast-json-stringify) instead of `JSON.stringify` (docs/design/performance.md).
 *
 * Property order is the order `toJobResponse` and the list build their objects in, so the bytes are those
 * `JSON.stringify` wrote before. Every object allows additional properties: a field added to a body later is
 * still sent (after the declared ones) rather than silently dropped. Numbers are `number`, never `integer`,
 * so nothing is coerced. `cost` declares `total` then every stage of `STAGES`.
 */
/** A JSON-schema type that also admits null. Pure. */
export const nullable = (type: string) => ({ type: [type, 'null'] });

const statusBody = {
  type: 'object',
  additionalProperties: true,
  properties: {
    job_id: { type: 'string' },
    status: { type: 'string' },
    progress: {
      type: 'object',
      additionalProperties: true,
      properties: {
        current_stage: nullable('string'),
        stages_completed: { type: 'array', items: { type: 'string' } },
        stages_remaining: { type: 'array', items: { type: 'string' } },
        percentage: { type: 'number' },
        estimated_completion_time: nullable('string'),
        clips_completed: { type: 'number' },
        clips_total: { type: 'number' },
      },
    },
    cost: {
      type: 'object',
      additionalProperties: true,
      properties: Object.fromEntries(['total', ...STAGES].map((s) => [s, { type: 'number' }])),
    },
    // Stage-cache reuse per stage (booleans, or one per scene): free-form, in the order the saga stored it.
    cache: { type: 'object', additionalProperties: true },
    result: {
      type: ['object', 'null'],
      additionalProperties: true,
      properties: {
        video_url: { type: 'string' },
        thumbnail_url: { type: 'string' },
        duration: { type: 'number' },
        resolution: { type: 'string' },
        file_size_mb: { type: 'number' },
        scenes_generated: { type: 'number' },
      },
    },
    // Error details are free-form; their keys keep the order they were stored in.
    error: { type: ['object', 'null'], additionalProperties: true },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    plan_adjustments: { type: 'array', items: { type: 'object', additionalProperties: true } },
    completed_at: { type: 'string' },
    failed_at: { type: 'string' },
    cancelled_at: { type: 'string' },
  },
} as const;

const listBody = {
  type: 'object',
  additionalProperties: true,
  properties: {
    jobs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          job_id: { type: 'string' },
          status: { type: 'string' },
          created_at: { type: 'string' },
          cost_total: { type: 'number' },
          current_stage: nullable('string'),
          percentage: { type: 'number' },
        },
      },
    },
    total: { type: 'number' },
    limit: { type: 'number' },
    offset: { type: 'number' },
  },
} as const;

/** Fastify route schema of `GET /api/v1/jobs/{job_id}`. */
export const JOB_STATUS_ROUTE_SCHEMA = { response: { 200: statusBody } };

/** Fastify route schema of `GET /api/v1/jobs`. */
export const JOB_LIST_ROUTE_SCHEMA = { response: { 200: listBody } };
