/**
 * Route JSON schemas checked by Fastify before class-validator runs (docs/security.md, "Bad input"): they
 * bound the shape (known keys only, sizes, plain strings for query values) so a hostile body never reaches
 * the slower validator; class-validator still names each field's own rule. Compiled with coercion and
 * key removal off (see `createSchemaValidator`), so nothing is changed silently.
 */

import { MAX_BATCH_JOBS } from '@app/contracts';

/** `POST /api/v1/generate-ad`. */
export const GENERATE_AD_BODY_SCHEMA = {
  type: 'object',
  maxProperties: 8,
  additionalProperties: false,
  properties: {
    prompt: { type: 'string', maxLength: 2000 },
    duration: {},
    aspect_ratio: { type: 'string', maxLength: 20 },
    brand_guidelines: {
      type: ['object', 'null'],
      maxProperties: 8,
      additionalProperties: false,
      properties: { primary_color: { type: 'string', maxLength: 50 }, secondary_color: { type: 'string', maxLength: 50 }, style: { type: 'string', maxLength: 500 } },
    },
    // A per-job webhook (docs/events.md, "Webhooks"); class-validator checks the URL and the event filter.
    webhook_url: { type: 'string', maxLength: 4096 },
    webhook_events: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 200 } },
    // Jobs made from the request (docs/api.md, "Batches and variations"); class-validator checks 1-3.
    variations: {},
  },
} as const;

/**
 * `POST /api/v1/batch`: at most {@link MAX_BATCH_JOBS} requests, each bounded like a generate-ad body, so a
 * bad request is reported as `requests.<n>.<field>`.
 */
export const BATCH_BODY_SCHEMA = {
  type: 'object',
  maxProperties: 3,
  additionalProperties: false,
  properties: {
    requests: { type: 'array', maxItems: MAX_BATCH_JOBS, items: GENERATE_AD_BODY_SCHEMA },
    webhook_url: GENERATE_AD_BODY_SCHEMA.properties.webhook_url,
    webhook_events: GENERATE_AD_BODY_SCHEMA.properties.webhook_events,
  },
} as const;

/** Routes with a `:batch_id` parameter. */
export const BATCH_ID_PARAMS_SCHEMA = {
  type: 'object',
  properties: { batch_id: { type: 'string', maxLength: 100 } },
} as const;

/** `GET /api/v1/jobs`: query values arrive as strings; repeated ones (arrays) are refused. */
export const LIST_JOBS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', maxLength: 20 },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
    q: { type: 'string', maxLength: 200 },
  },
} as const;

/** Routes with a `:job_id` parameter. */
export const JOB_ID_PARAMS_SCHEMA = {
  type: 'object',
  properties: { job_id: { type: 'string', maxLength: 100 } },
} as const;
