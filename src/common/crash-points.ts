import { armedCrashPoints } from '../../config/crash-points.config';

/**
 * Named crash points for the crash test (docs/design/saga.md, "Crash testing"; in the spirit of
 * Temporal/DBOS/Jepsen fault injection).
 * `CRASH_POINTS="saga.after-commit-before-ack=0.05,stage.mid-composition=0.1"` makes this process kill itself
 * with SIGKILL when it passes a named point, with the given probability. Unset (production), it does nothing.
 */
const points = armedCrashPoints();

/** Known crash point names. */
export type CrashPointName =
  | 'saga.after-commit-before-ack'
  | 'stage.after-commit-before-ack'
  | 'stage.after-submit-before-token'
  | 'stage.mid-work'
  | 'relay.after-publish-before-mark';

/** Kills the process (SIGKILL, no cleanup) when `name` is armed and the dice say so. */
export function crashPoint(name: CrashPointName): void {
  const p = points.get(name);
  if (p !== undefined && Math.random() < p) {
    process.stderr.write(`crash point ${name}: SIGKILL pid ${process.pid}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
