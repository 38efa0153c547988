import type { StageName } from './stages';

/**
 * Subject and stream names, defined once (docs/design/saga.md, "Streams and subjects").
 * Every name starts with a configurable prefix (`NATS_PREFIX`, default `ads`) so test runs and
 * environments sharing one NATS server never see each other's messages.
 *
 * | stream            | subjects                                           | retention |
 * |-------------------|----------------------------------------------------|-----------|
 * | `<P>_WORK`        | `<p>.stage.req.<stage>.<jobId>[.<scene>]`          | WorkQueue |
 * | `<P>_EVENTS`      | `<p>.evt.stage.<completed|failed>.<stage>.<jobId>` | Limits    |
 * |                   | `<p>.evt.stage.progress.<stage>.<jobId>`           |           |
 * |                   | `<p>.evt.job.<type>.<jobId>`                       |           |
 * |                   | `<p>.evt.webhook.<type>.<endpointId>`              |           |
 *
 * Events, payloads and the webhook and SSE views of them: docs/events.md.
 */
export class Subjects {
  constructor(readonly prefix: string) {
    if (!/^[a-z][a-z0-9_-]*$/i.test(prefix)) throw new Error(`invalid NATS prefix "${prefix}"`);
  }

  /** WorkQueue stream holding stage requests. */
  get workStream(): string {
    return `${this.prefix.toUpperCase().replace(/-/g, '_')}_WORK`;
  }

  /** Limits stream holding stage results and job events. */
  get eventStream(): string {
    return `${this.prefix.toUpperCase().replace(/-/g, '_')}_EVENTS`;
  }

  /** Subjects the work stream binds. */
  get workSubjects(): string {
    return `${this.prefix}.stage.req.>`;
  }

  /** Subjects the event stream binds. */
  get eventSubjects(): string {
    return `${this.prefix}.evt.>`;
  }

  /** A stage request; video generation adds the 0-based scene index. */
  stageRequest(stage: StageName, jobId: string, sceneIndex?: number): string {
    const base = `${this.prefix}.stage.req.${stage}.${jobId}`;
    return sceneIndex === undefined ? base : `${base}.${sceneIndex}`;
  }

  /** Filter of the durable consumer that serves one stage. */
  stageRequestFilter(stage: StageName): string {
    return `${this.prefix}.stage.req.${stage}.>`;
  }

  /** A stage result the saga consumes. */
  stageResult(outcome: 'completed' | 'failed', stage: StageName, jobId: string): string {
    return `${this.prefix}.evt.stage.${outcome}.${stage}.${jobId}`;
  }

  /**
   * A stage's progress tick (`<p>.evt.stage.progress.<stage>.<jobId>`): published by the worker directly (not
   * through the outbox: a lost tick is superseded by the next), applied by the saga under its own guard.
   */
  stageProgress(stage: StageName, jobId: string): string {
    return `${this.prefix}.evt.stage.progress.${stage}.${jobId}`;
  }

  /** Filter of the saga's consumer of stage results. */
  get stageResultFilter(): string {
    return `${this.prefix}.evt.stage.>`;
  }

  /** A job lifecycle event for other services. */
  jobEvent(type: JobEventType, jobId: string): string {
    return `${this.prefix}.evt.job.${type}.${jobId}`;
  }

  /** Filter for every job event (what other services subscribe to). */
  get jobEventFilter(): string {
    return `${this.prefix}.evt.job.>`;
  }

  /** Filter of every job event of one job (`<p>.evt.job.*.<jobId>`): what a job's event stream replays. */
  jobEventsOf(jobId: string): string {
    return `${this.prefix}.evt.job.*.${jobId}`;
  }

  /** An event about a webhook endpoint (`<p>.evt.webhook.<type>.<endpointId>`), e.g. `endpoint_disabled`. */
  webhookEvent(type: 'endpoint_disabled', endpointId: string): string {
    return `${this.prefix}.evt.webhook.${type}.${endpointId}`;
  }

  /** Filter of the saga's consumer of the one job event it reacts to, `job.created` (a cancel is a direct command: docs/design/saga.md, "Cancellation"). */
  get jobCreatedFilter(): string {
    return `${this.prefix}.evt.job.created.>`;
  }
}

/** Job event types published on `<p>.evt.job.<type>.<jobId>` (see `events.ts` for payloads). */
export const JOB_EVENT_TYPES = [
  'created',
  'started',
  'stage_completed',
  'stage_failed',
  'storyboard_completed',
  'approved',
  'refined',
  'progress',
  'completed',
  'failed',
  'cancelled',
] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];
