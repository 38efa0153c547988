/**
 * The stage runner's delivery policy as pure functions: what to do with a delivered stage request given what
 * `stage_attempts` says, and what to do when an attempt's work ends in an error. The runner only carries the
 * decisions out (SQL in `StageAttemptsRepository`, acks on the JetStream message); docs/design/saga.md,
 * "At-least-once stage execution, paid once", explains the lease and why NATS acks are not trusted as a fence.
 */

/** What the runner's claim of an attempt found (null when the claim did not take the row). */
export interface ClaimedAttempt {
  /** Deliveries of this attempt counted in the database, this one included (1 on the first). */
  deliveries: number;
}

/** The row of an attempt the claim could not take. */
export interface AttemptLease {
  status: string;
  /** Milliseconds left on the holder's lease (negative or null when it has run out). */
  waitMs: number | null;
}

/** Outcome of a delivery before any work: run it, drop the copy, wait for the live holder, or give up. */
export type ClaimDecision =
  | { kind: 'run'; redelivered: boolean }
  /** The attempt already finished: its result event is in the outbox, so this copy is acked and dropped. */
  | { kind: 'already-finished' }
  /** A live worker holds the lease: come back after it could have run out. */
  | { kind: 'wait'; delayMs: number }
  /** Retaken more than `maxDeliveries` times (workers keep dying on it): fail the attempt with what it billed. */
  | { kind: 'give-up' };

/** Smallest wait before looking at a leased attempt again, ms; and the margin past the lease's end, ms. */
export const MIN_LEASE_WAIT_MS = 1000;
export const LEASE_WAIT_MARGIN_MS = 500;

/**
 * Decides what a delivered stage request does. Pure.
 * @param claim the claimed row, or null when another holder's live lease or a finished row kept it
 * @param lease the row as it is when the claim did not take it (null: no row at all)
 * @param maxDeliveries `STAGE_MAX_DELIVER`: deliveries allowed before the attempt is failed
 */
export function decideClaim(claim: ClaimedAttempt | null, lease: AttemptLease | null, maxDeliveries: number): ClaimDecision {
  if (claim === null) {
    if (!lease || lease.status !== 'running') return { kind: 'already-finished' };
    return { kind: 'wait', delayMs: Math.max(MIN_LEASE_WAIT_MS, Number(lease.waitMs ?? 0) + LEASE_WAIT_MARGIN_MS) };
  }
  if (claim.deliveries > maxDeliveries) return { kind: 'give-up' };
  return { kind: 'run', redelivered: claim.deliveries > 1 };
}

/** Why a running attempt was aborted by the runner itself. */
export type AbortReason = 'job-ended' | 'shutdown' | 'lease-lost';

/** What ended an attempt's work in an error. */
export interface AttemptError {
  /** Set when the runner aborted the work (its AbortSignal's reason). */
  abortReason: AbortReason | null;
  /** The provider threw CancelledError (its own signal check). */
  cancelled: boolean;
  /** The mapped failure is transient (docs/providers.md, "Retry policy"). */
  retryable: boolean;
  /** Deliveries of the attempt so far, this one included. */
  deliveries: number;
}

/** Outcome of an attempt that ended in an error. */
export type FailureDecision =
  /** The process is shutting down: release the lease and redeliver at once to another worker. */
  | { kind: 'hand-off'; delayMs: number }
  /** The job ended: mark the attempt cancelled, drop its work dir, ack. */
  | { kind: 'cancelled' }
  /** Another worker retook the attempt: drop this copy without writing. */
  | { kind: 'lease-lost' }
  /** A transient failure with redeliveries left: carry the cost, release the lease, redeliver after `delayMs`. */
  | { kind: 'requeue'; delayMs: number }
  /** Final: store the failure and its event. */
  | { kind: 'fail' };

/** Redelivery delay of a shutdown hand-off, ms. */
export const HAND_OFF_DELAY_MS = 100;

/**
 * Decides what an attempt that threw does. Pure.
 * @param transientRetries `STAGE_TRANSIENT_RETRIES`: redeliveries for transient failures after the provider's own retries
 * @param retryDelaySeconds `STAGE_TRANSIENT_RETRY_DELAY_SECONDS`: backoff base, seconds; the delay grows linearly with deliveries
 */
export function decideFailure(e: AttemptError, transientRetries: number, retryDelaySeconds: number): FailureDecision {
  if (e.abortReason === 'shutdown') return { kind: 'hand-off', delayMs: HAND_OFF_DELAY_MS };
  // Before the cancel check: a provider that notices the abort throws CancelledError, and the attempt now
  // belongs to the worker that retook it, which must not find it cancelled.
  if (e.abortReason === 'lease-lost') return { kind: 'lease-lost' };
  if (e.abortReason === 'job-ended' || e.cancelled) return { kind: 'cancelled' };
  if (e.retryable && e.deliveries <= transientRetries) return { kind: 'requeue', delayMs: retryDelaySeconds * 1000 * e.deliveries };
  return { kind: 'fail' };
}
