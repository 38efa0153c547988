/**
 * The armed crash points of this process (docs/design/saga.md, "Crash testing"):
 * `CRASH_POINTS="saga.after-commit-before-ack=0.05,stage.mid-composition=0.1"`, each name with the probability
 * (clamped to [0, 1], default 1) that passing it kills the process. Unset (production): none.
 * A getter rather than a field of AppConfig: `crashPoint()` (src/common/crash-points.ts) is a plain function
 * called deep in the saga, the stage runner and the relay, so no config need reach their constructors for a
 * test hook.
 */
export function armedCrashPoints(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, number> {
  return new Map(
    (env.CRASH_POINTS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [name, prob] = p.split('=');
        return [name, Math.min(1, Math.max(0, Number(prob ?? '1')))] as const;
      }),
  );
}
