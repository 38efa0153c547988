import { EVENT_SCHEMA_VERSION, type StageProgress, type StageRequested } from '@app/contracts';
import type { Logger } from 'pino';
import type { JetStreamService } from '../messaging/jetstream.service';

/** At most one tick a second per job (docs/events.md, "Progress"). */
export const PROGRESS_MIN_INTERVAL_MS = 1000;

/**
 * Turns a provider's `reportProgress(fraction)` calls into `stage.progress` ticks on JetStream, throttled per
 * job (parallel clips of one job share the budget). Ticks go straight to the stream, not through the outbox:
 * they change no stage state, and a lost tick is superseded by the next one or by the stage's result. The
 * saga applies them under its own guard (src/jobs/job-progress.ts).
 */
export class ProgressReporter {
  private readonly lastTickMs = new Map<string, number>();

  constructor(
    private readonly nats: JetStreamService,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * A reporter for one attempt, started at `startedMs`.
   * @returns a function taking the attempt's fraction done (0..1); calls faster than the throttle are dropped
   */
  forAttempt(req: StageRequested, startedMs: number): (fraction: number) => void {
    const { stage, attempt_id: attemptId, scene_index: sceneIndex } = req.data;
    let lastPermille = -1;
    return (fraction: number) => {
      const now = this.clock();
      const permille = Math.floor(Math.min(1, Math.max(0, fraction)) * 1000);
      if (permille <= lastPermille || permille >= 1000) return;
      if (now - (this.lastTickMs.get(req.job_id) ?? 0) < PROGRESS_MIN_INTERVAL_MS) return;
      this.lastTickMs.set(req.job_id, now);
      lastPermille = permille;
      const elapsed = (now - startedMs) / 1000;
      const f = permille / 1000;
      const id = `prog.${attemptId}.${permille}`;
      const tick: StageProgress = {
        event_id: id,
        type: 'stage.progress',
        schema_version: EVENT_SCHEMA_VERSION,
        occurred_at: new Date(now).toISOString(),
        job_id: req.job_id,
        data: {
          stage,
          attempt_id: attemptId,
          scene_index: sceneIndex,
          fraction: f,
          elapsed_seconds: Math.round(elapsed * 1000) / 1000,
          remaining_seconds: f > 0.02 ? Math.round(((elapsed * (1 - f)) / f) * 1000) / 1000 : null,
        },
      };
      this.nats.publish(this.nats.subjects.stageProgress(stage, req.job_id), tick, id).catch((err: Error) => {
        this.logger.debug({ job_id: req.job_id, stage, err: err.message }, 'progress tick not published');
      });
    };
  }

  /** Forgets a job's throttle state once it has no attempt left in this process. */
  release(jobId: string): void {
    this.lastTickMs.delete(jobId);
  }
}
