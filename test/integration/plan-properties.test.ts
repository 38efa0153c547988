import fc from 'fast-check';
import { arbitraryPlan } from '../fixtures/plan-arbitrary';
import { composePlan } from '../support/compose-plan';

/**
 * A sample of plans generated across the whole schema (test/fixtures/plan-arbitrary.ts) rendered by the real local
 * compositor at a fifth of the delivery size: every one composes and passes the project's verification.
 * `PLAN_RENDER_COUNT` sets the sample (default 12; `npm run soak:plans` renders 100).
 */
const COUNT = Number(process.env.PLAN_RENDER_COUNT ?? 12);
/** Fraction of the delivery size (`PLAN_RENDER_SCALE`, default 0.2; the soak renders at 0.1). */
const SCALE = Number(process.env.PLAN_RENDER_SCALE ?? 0.2);
/** The soak prints a line per plan, so a slow machine still shows how far it got. */
const VERBOSE = COUNT > 20;

describe('generated plans through ffmpeg', () => {
  it(`should compose ${COUNT} generated plans, silent ones with a silent track`, async () => {
    const sample = fc.sample(arbitraryPlan, { numRuns: COUNT, seed: Number(process.env.PLAN_RENDER_SEED ?? 20261202) });
    // Both silent cases are always in the sample.
    sample[0] = { ...sample[0], plan: { ...sample[0].plan, audio: { ...sample[0].plan.audio, music_volume: 0 } } };
    sample[1] = { ...sample[1], plan: { ...sample[1].plan, audio: { ...sample[1].plan.audio, mood: 'silent', music_volume: 1 } } };
    const failures: Array<{ index: number; code: string; message: string }> = [];
    let composed = 0;
    let seconds = 0;
    for (const [index, g] of sample.entries()) {
      const outcome = await composePlan(g.plan, g.durationSeconds, g.aspectRatio, SCALE);
      seconds += outcome.seconds;
      if (VERBOSE) process.stdout.write(`[${index + 1}/${sample.length}] ${g.durationSeconds} s ${g.aspectRatio} ${g.plan.scenes.length} scenes: ${outcome.ok ? 'composed' : `FAILED ${outcome.code} ${outcome.message}`} (${outcome.seconds.toFixed(1)} s)\n`);
      if (outcome.ok) {
        composed++;
        expect(outcome.output.duration).toBeCloseTo(g.durationSeconds, 0);
      } else failures.push({ index, code: outcome.code, message: outcome.message });
    }
    process.stdout.write(`plans composed through ffmpeg: ${composed}/${sample.length} in ${seconds.toFixed(1)} s\n`);
    expect(failures).toEqual([]);
  }, Math.max(600_000, COUNT * 120_000));
});
