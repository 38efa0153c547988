import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runCrashTest } from '../../scripts/crash-test';

/**
 * Short form of the crash test (scripts/crash-test.ts; the full run is 50 jobs): real worker processes on the
 * real NATS and PostgreSQL, SIGKILLed at named crash points and at random moments, restarted, then the
 * invariants of issue #4 are checked. Needs the build (`dist/src/main.js`), which `npm test` makes.
 */
describe('crash safety (short form)', () => {
  const main = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');

  it('should finish every job with no duplicate transition, each result once, composition once and no unpublished outbox row', async () => {
    if (!existsSync(main)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it)');
    const lines: string[] = [];
    const report = await runCrashTest({
      jobs: 3,
      workers: 2,
      killEverySeconds: 12,
      restartServices: false,
      timeoutSeconds: 240,
      crashPoints: 'saga.after-commit-before-ack=0.15,stage.after-commit-before-ack=0.25,stage.mid-work=0.03,relay.after-publish-before-mark=0.05',
      log: (l) => lines.push(l),
    });
    expect(report.violations).toEqual([]);
    expect(report.completed).toBe(3);
    expect(report.kills + report.crashPointExits).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
