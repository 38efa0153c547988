/**
 * JSON schema of the `GET /api/v1/batches/{batch_id}` 200 body, given to Fastify as its response schema
 * (compiled serializer, as for the job routes: src/jobs/job-response.schema.ts). Objects allow additional
 * properties so a field added later is still sent; numbers are `number`, never coerced.
 */
import { nullable } from './job-response.schema';

const batchJob = {
  type: 'object',
  additionalProperties: true,
  properties: {
    job_id: { type: 'string' },
    variation: { type: 'number' },
    status: { type: 'string' },
    progress: {
      type: 'object',
      additionalProperties: true,
      properties: { current_stage: nullable('string'), percentage: { type: 'number' } },
    },
    video_url: nullable('string'),
    thumbnail_url: nullable('string'),
    cost: { type: 'object', additionalProperties: true, properties: { total: { type: 'number' } } },
    error: { type: ['object', 'null'], additionalProperties: true },
    links: { type: 'object', additionalProperties: true, properties: { self: { type: 'string' } } },
  },
} as const;

const batchBody = {
  type: 'object',
  additionalProperties: true,
  properties: {
    batch_id: { type: 'string' },
    status: { type: 'string' },
    counts: { type: 'object', additionalProperties: { type: 'number' } },
    jobs: { type: 'array', items: batchJob },
    cost: { type: 'object', additionalProperties: true, properties: { total: { type: 'number' } } },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

/** Fastify route schema of `GET /api/v1/batches/{batch_id}`. */
export const BATCH_ROUTE_SCHEMA = { response: { 200: batchBody } };

/** One job of a create answer, in the order `BatchesService` builds it. */
const createdJob = {
  type: 'object',
  additionalProperties: true,
  properties: {
    job_id: { type: 'string' },
    status: { type: 'string' },
    created_at: { type: 'string' },
    estimated_completion_time: { type: 'string' },
    variation: { type: 'number' },
    links: {
      type: 'object',
      additionalProperties: true,
      properties: { self: { type: 'string' }, video: { type: 'string' }, thumbnail: { type: 'string' }, cancel: { type: 'string' } },
    },
  },
} as const;

const links = { type: 'object', additionalProperties: true, properties: { batch: { type: 'string' } } } as const;

/**
 * `POST /api/v1/generate-ad` 201: the single-job body, plus (with `variations` 2–3) the batch members, which a
 * single job's answer leaves out. Declaring the order also keeps an `Idempotency-Key` replay byte-identical:
 * the stored answer comes back from a jsonb column, which does not keep key order.
 */
export const GENERATE_AD_CREATED_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  properties: {
    job_id: { type: 'string' },
    status: { type: 'string' },
    created_at: { type: 'string' },
    estimated_completion_time: { type: 'string' },
    batch_id: { type: 'string' },
    jobs: { type: 'array', items: createdJob },
    links,
  },
} as const;

/** `POST /api/v1/batch` 201 (declared order: see {@link GENERATE_AD_CREATED_SCHEMA}). */
export const BATCH_CREATED_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  properties: {
    batch_id: { type: 'string' },
    status: { type: 'string' },
    created_at: { type: 'string' },
    estimated_completion_time: { type: 'string' },
    jobs: { type: 'array', items: createdJob },
    links,
  },
} as const;
