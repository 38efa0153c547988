/**
 * Full crash test (docs/design/saga.md, "Crash testing": 50 jobs, at least 20 kills, NATS and PostgreSQL restarted mid-run):
 * `npm run bench:crash`. The driver is scripts/crash-test.ts. To fit the run in minutes on 2 cores, the
 * reference image and the clips come from the fake team services over the real HTTP contract; prompt parsing
 * and composition stay local (real ffmpeg, so crashes land mid-composition). Every message still goes
 * through JetStream and every state change through the saga on PostgreSQL, which is what this test attacks.
 *
 * Knobs (env): CRASH_JOBS (50), CRASH_WORKERS (3), CRASH_KILL_EVERY_SECONDS (15), CRASH_RESTART_SERVICES
 * (1 = restart nats-server and PostgreSQL once each; needs root and this machine's start commands).
 * Runs under Jest only to reuse the fakes (the repo has no ts-node).
 */
import { runCrashTest } from '../../scripts/crash-test';
import { FakeTeamServices } from '../fakes/fake-team-services.server';

const JOBS = Number(process.env.CRASH_JOBS ?? 50);

describe('crash test (full)', () => {
  const team = new FakeTeamServices();

  beforeAll(async () => {
    await team.start();
  });

  afterAll(async () => {
    await team.close();
  });

  it(`should complete ${JOBS} jobs through kills and restarts with every invariant holding`, async () => {
    const report = await runCrashTest({
      jobs: JOBS,
      workers: Number(process.env.CRASH_WORKERS ?? 3),
      killEverySeconds: Number(process.env.CRASH_KILL_EVERY_SECONDS ?? 15),
      restartServices: process.env.CRASH_RESTART_SERVICES === '1',
      timeoutSeconds: Number(process.env.CRASH_TIMEOUT_SECONDS ?? 3000),
      crashPoints:
        process.env.CRASH_POINTS_SPEC ??
        'saga.after-commit-before-ack=0.03,stage.after-commit-before-ack=0.05,stage.mid-work=0.02,relay.after-publish-before-mark=0.01',
      workerEnv: { IMAGE_PROVIDER: 'http', VIDEO_PROVIDER: 'http', IMAGE_GEN_URL: team.url, VIDEO_GEN_URL: team.url, PROVIDER_RETRY_BASE_MS: '200' },
      log: (l) => process.stdout.write(`[crash-test] ${l}\n`),
    });
    process.stdout.write(`${JSON.stringify({ ...report, violations: report.violations.length }, null, 1)}\n`);
    for (const v of report.violations) process.stdout.write(`VIOLATION ${v}\n`);
    expect(report.violations).toEqual([]);
    expect(report.completed).toBe(JOBS);
    expect(report.kills + report.crashPointExits).toBeGreaterThanOrEqual(20);
  }, 3_600_000);
});
