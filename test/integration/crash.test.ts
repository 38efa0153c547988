import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runCrashTest } from '../../scripts/crash-test';
import { FakeTeamServices } from '../fakes/fake-team-services.server';

/**
 * Short form of the crash test (scripts/crash-test.ts; the full run is `npm run bench:crash`, 50 jobs): real
 * worker processes on the real NATS and PostgreSQL, SIGKILLed at named crash points and at random moments,
 * restarted, then the invariants of docs/design/saga.md, "Crash testing", are checked. As in the full run, image and clips come from the
 * fake team services (over the real HTTP contract) so the test stays short; planning and composition are
 * local. Needs the build (`dist/src/main.js`), which `npm test` makes.
 */
describe('crash safety (short form)', () => {
  const main = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
  const team = new FakeTeamServices();

  beforeAll(async () => {
    await team.start();
  });

  afterAll(async () => {
    await team.close();
  });

  it('should finish every job with no duplicate transition, each result once, composition once and no unpublished outbox row', async () => {
    if (!existsSync(main)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it)');
    const report = await runCrashTest({
      jobs: 4,
      workers: 2,
      killEverySeconds: 8,
      restartServices: false,
      // Each job has a storyboard stage too (one more result per scene), and npm test runs another file beside
      // this one: 540 s leaves room on a busy 2-core box. Only a stop condition: the invariants are the test.
      timeoutSeconds: 540,
      crashPoints: 'saga.after-commit-before-ack=0.15,stage.after-commit-before-ack=0.25,stage.mid-work=0.02,relay.after-publish-before-mark=0.05',
      workerEnv: { IMAGE_PROVIDER: 'http', VIDEO_PROVIDER: 'http', IMAGE_GEN_URL: team.url, VIDEO_GEN_URL: team.url },
      log: () => undefined,
    });
    expect(report.violations).toEqual([]);
    expect(report.completed).toBe(4);
    expect(report.kills + report.crashPointExits).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it('should finish v2 jobs whose workers are killed during storyboard generation and during the render, counting each cost once', async () => {
    if (!existsSync(main)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it)');
    const report = await runCrashTest({
      jobs: 0,
      v2Jobs: 2,
      targetedKills: true,
      workers: 2,
      killEverySeconds: 3600,
      restartServices: false,
      timeoutSeconds: 400,
      crashPoints: '',
      workerEnv: { IMAGE_PROVIDER: 'http', VIDEO_PROVIDER: 'http', IMAGE_GEN_URL: team.url, VIDEO_GEN_URL: team.url },
      log: () => undefined,
    });
    expect(report.violations).toEqual([]);
    expect(report.completed).toBe(2);
    expect(report.targetedKills.sort()).toEqual(['render', 'storyboard']);
  }, 450_000);
});
