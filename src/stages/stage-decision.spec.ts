import { AppError } from '../common/app-error';
import { decideClaim, decideFailure, HAND_OFF_DELAY_MS, MIN_LEASE_WAIT_MS, type AttemptError, type ClaimDecision, type FailureDecision } from './stage-decision';
import { toStageFailure } from './stage-runner';

describe('decideClaim', () => {
  const MAX = 5;
  it.each<[string, Parameters<typeof decideClaim>[0], Parameters<typeof decideClaim>[1], ClaimDecision]>([
    ['first delivery runs', { deliveries: 1 }, null, { kind: 'run', redelivered: false }],
    ['a redelivery retakes the attempt', { deliveries: 2 }, null, { kind: 'run', redelivered: true }],
    ['the last allowed delivery still runs', { deliveries: MAX }, null, { kind: 'run', redelivered: true }],
    ['past the limit the attempt is given up', { deliveries: MAX + 1 }, null, { kind: 'give-up' }],
    ['a finished attempt is dropped: its result is already in the outbox', null, { status: 'succeeded', waitMs: null }, { kind: 'already-finished' }],
    ['a failed attempt is dropped', null, { status: 'failed', waitMs: null }, { kind: 'already-finished' }],
    ['a cancelled attempt is dropped', null, { status: 'cancelled', waitMs: 12_000 }, { kind: 'already-finished' }],
    ['a vanished row is dropped', null, null, { kind: 'already-finished' }],
    ['a live lease is waited out, with a margin', null, { status: 'running', waitMs: 20_000 }, { kind: 'wait', delayMs: 20_500 }],
    ['a lease about to end waits the minimum', null, { status: 'running', waitMs: 100 }, { kind: 'wait', delayMs: MIN_LEASE_WAIT_MS }],
    ['a lease with no end waits the minimum', null, { status: 'running', waitMs: null }, { kind: 'wait', delayMs: MIN_LEASE_WAIT_MS }],
  ])('%s', (_name, claim, lease, expected) => {
    expect(decideClaim(claim, lease, MAX)).toEqual(expected);
  });
});

describe('decideFailure', () => {
  const base: AttemptError = { abortReason: null, cancelled: false, retryable: false, deliveries: 1 };
  it.each<[string, Partial<AttemptError>, FailureDecision]>([
    ['shutdown hands the attempt off at once', { abortReason: 'shutdown', retryable: true }, { kind: 'hand-off', delayMs: HAND_OFF_DELAY_MS }],
    ['shutdown wins over a cancellation error', { abortReason: 'shutdown', cancelled: true }, { kind: 'hand-off', delayMs: HAND_OFF_DELAY_MS }],
    ['a job that ended cancels the attempt', { abortReason: 'job-ended' }, { kind: 'cancelled' }],
    ['a provider that saw the cancel cancels the attempt', { cancelled: true, retryable: true }, { kind: 'cancelled' }],
    ['a lost lease drops the copy', { abortReason: 'lease-lost', retryable: true }, { kind: 'lease-lost' }],
    ['a lost lease drops the copy when the provider threw CancelledError on the abort', { abortReason: 'lease-lost', cancelled: true }, { kind: 'lease-lost' }],
    ['a transient failure is re-queued after the base delay', { retryable: true, deliveries: 1 }, { kind: 'requeue', delayMs: 3000 }],
    ['the delay grows with deliveries', { retryable: true, deliveries: 2 }, { kind: 'requeue', delayMs: 6000 }],
    ['past the transient retries it fails', { retryable: true, deliveries: 3 }, { kind: 'fail' }],
    ['a permanent failure fails at once', { retryable: false, deliveries: 1 }, { kind: 'fail' }],
  ])('%s', (_name, e, expected) => {
    expect(decideFailure({ ...base, ...e }, 2, 3)).toEqual(expected);
  });
});

describe('toStageFailure', () => {
  it('should keep a pass-through code and merge its details after the service fields', () => {
    const err = new AppError('TIMEOUT', 'clip took too long', { retryable: true, details: { timeout_seconds: 300 } });
    expect(toStageFailure('video_generation', 'replicate', err, 3)).toEqual({
      code: 'TIMEOUT',
      message: 'clip took too long',
      retryable: true,
      details: { service: 'replicate', attempts: 3, last_error: 'clip took too long', timeout_seconds: 300 },
    });
  });

  it("should turn a code foreign to the stage into the stage's own failure code", () => {
    const err = new AppError('INVALID_INPUT', 'bad scene');
    const f = toStageFailure('composition', 'local', err, 1);
    expect(f.code).toBe('COMPOSITION_FAILED');
    expect(f.retryable).toBe(false);
  });

  it('should map a plain Error to a permanent stage failure naming it', () => {
    expect(toStageFailure('prompt_parsing', 'openai', new Error('boom'), 2)).toEqual({
      code: 'PROMPT_PARSING_FAILED',
      message: 'prompt_parsing failed: boom',
      retryable: false,
      details: { service: 'openai', attempts: 2, last_error: 'boom' },
    });
  });

  it('should map a thrown non-Error value', () => {
    expect(toStageFailure('storyboard', 'local', 'odd', 1)).toMatchObject({ message: 'storyboard failed: odd', retryable: false });
  });
});
