import fc from 'fast-check';
import { createCanvas } from '@napi-rs/canvas';
import { OUTPUT_SIZE_PX, TRANSITION_SECONDS } from '@app/contracts';
import { arbitraryPlan, type GeneratedPlan } from '../../../../test/fixtures/plan-arbitrary';
import { cameraPathFor, cameraWindowAt, frameCount } from '../../../media/clip.args';
import { buildClipPrefilters, clipFitFor } from '../../../media/clip-fit';
import { buildCompositionArgs, buildCompositionGraph, type CompositionSpec } from '../../../media/composition.args';
import { arrangeMusic, buildMusicBedArgs, isSilentMusic } from '../../../media/music-bed';
import { safeAreaFor } from '../../../media/safe-area';
import { canvasFont, fitText } from '../../../media/text-card.renderer';
import { planTimeline, XFADE_TRANSITION } from '../../../media/timeline';
import { textWindows } from './composition-layout';

/**
 * Property tests over the whole plan schema (test/fixtures/plan-arbitrary.ts): every valid plan goes through the
 * pure builders (timeline, text windows, text layout, filtergraph and arguments, music bed, camera path) without
 * a throw and with outputs that keep their invariants. ffmpeg runs on a sample in
 * test/integration/plan-properties.test.ts and on many more in `npm run soak:plans`.
 */
type ClipShapeList = Array<{ widthPx: number; heightPx: number; rotationDegrees: number; sampleAspectRatio: number }>;

const RUNS = Number(process.env.PLAN_PROPERTY_RUNS ?? 60);
const BAD_NUMBER = /\bNaN\b|\bundefined\b|Infinity|=null\b/;

const ctx = createCanvas(8, 8).getContext('2d');
const family = canvasFont('sansBold');
const measure = (s: string, fontPx: number): number => {
  ctx.font = `${fontPx}px ${family}`;
  return ctx.measureText(s).width;
};

/** Shapes a provider may return: any size and rotation, square and anamorphic pixels. */
const shapes = fc.array(
  fc.record({
    widthPx: fc.integer({ min: 16, max: 3840 }),
    heightPx: fc.integer({ min: 16, max: 3840 }),
    rotationDegrees: fc.constantFrom(0, 90, -90, 180, 270),
    sampleAspectRatio: fc.constantFrom(1, 4 / 3, 0.75),
  }),
  { minLength: 5, maxLength: 5 },
);
const sourceSeconds = fc.array(fc.oneof(fc.constant(undefined), fc.double({ min: 0.1, max: 30, noNaN: true })), { minLength: 5, maxLength: 5 });

function specFor(g: GeneratedPlan, shape: ClipShapeList, seconds: Array<number | undefined>, silent: boolean): CompositionSpec {
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[g.aspectRatio];
  const slots = planTimeline(g.plan);
  const windows = textWindows(g.plan, slots, g.durationSeconds);
  return {
    widthPx,
    heightPx,
    durationSeconds: g.durationSeconds,
    clips: slots.map((s, i) => ({ path: `/clips/${i}.mp4`, seconds: s.clipSeconds, shape: shape[i], sourceSeconds: seconds[i] })),
    transitions: slots.slice(0, -1).map((s, k) => ({ xfade: XFADE_TRANSITION[g.plan.scenes[k].transition], seconds: s.transitionOutSeconds })),
    texts: windows.map((w, i) => ({ path: `/cards/${i}.png`, xPx: 10, yPx: 20, startSeconds: w.start, endSeconds: w.end, fadeSeconds: 0.4, slideUpPx: i % 2 ? 30 : 0 })),
    musicPath: silent ? null : '/music.wav',
    musicGainDb: 3.5,
    grade: g.plan.visual_direction.color_grade,
    fadeSeconds: 0.3,
    graphPath: '/graph.txt',
    outputPath: '/out.mp4',
    preset: 'veryfast',
    crf: 21,
    thumbnail: { atSeconds: windows[0].start + 0.5, path: '/thumb.jpg' },
  };
}


describe('every plan valid under the schema (property tests)', () => {
  // The soak (`npm run soak:plans`) reads this line.
  afterAll(() => {
    if (process.env.PLAN_PROPERTY_RUNS) process.stdout.write(`plans through the builders: ${RUNS} per property, all passed\n`);
  });
  it('should lay every plan on a timeline that lasts exactly the request, with text windows inside their scenes', () => {
    fc.assert(
      fc.property(arbitraryPlan, (g) => {
        const slots = planTimeline(g.plan);
        const last = slots[slots.length - 1];
        expect(last.startSeconds + last.durationSeconds).toBeCloseTo(g.durationSeconds, 6);
        slots.forEach((s, i) => {
          expect(s.clipSeconds).toBeGreaterThanOrEqual(s.durationSeconds);
          if (i > 0) expect(s.startSeconds).toBeCloseTo(slots[i - 1].startSeconds + slots[i - 1].durationSeconds, 6);
          expect(s.transitionOutSeconds).toBe(i < slots.length - 1 ? TRANSITION_SECONDS[g.plan.scenes[i].transition] : 0);
        });
        textWindows(g.plan, slots, g.durationSeconds).forEach((w, i) => {
          expect(w.start).toBeGreaterThanOrEqual(0);
          expect(w.end).toBeGreaterThan(w.start);
          expect(w.end).toBeLessThanOrEqual(g.durationSeconds);
          expect(w.start).toBeGreaterThanOrEqual(slots[i].startSeconds);
          expect(w.end).toBeLessThanOrEqual(slots[i].startSeconds + slots[i].durationSeconds + 1e-6);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('should build a filtergraph and arguments for every plan and clip shape, silent or not', () => {
    fc.assert(
      fc.property(arbitraryPlan, shapes, sourceSeconds, fc.boolean(), (g, shape, seconds, silent) => {
        const spec = specFor(g, shape, seconds, silent);
        const graph = buildCompositionGraph(spec);
        const args = buildCompositionArgs(spec);
        expect(graph).not.toMatch(BAD_NUMBER);
        expect(args.join(' ')).not.toMatch(BAD_NUMBER);
        expect(graph).toContain('[vout]');
        expect(graph).toContain('[aout]');
        const n = g.plan.scenes.length;
        // Each clip, the audio source and each card are inputs, in that order.
        expect(args.filter((a) => a === '-i')).toHaveLength(n + 1 + n);
        for (let i = 0; i < n; i++) expect(graph).toContain(`[${i}:v]`);
        expect(graph).toContain(`[${n}:a]`);
        expect(args).toContain(silent ? 'anullsrc=r=48000:cl=stereo' : '/music.wav');
        // Never stretched: a clip either cover-crops or fits over its blurred copy.
        spec.clips.forEach((c, i) => {
          const fit = clipFitFor(c.shape!, spec.widthPx, spec.heightPx);
          expect(graph).toContain(fit === 'cover' ? `crop=${spec.widthPx}:${spec.heightPx}` : `[fgs${i}]`);
          const pre = buildClipPrefilters(c.shape!, c.sourceSeconds, c.seconds, 1 / 30);
          if (c.sourceSeconds !== undefined && c.sourceSeconds < c.seconds - 1 / 30) expect(pre).toContain('setpts=');
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('should synthesize a music bed for every plan with sound, and none for a silent one', () => {
    fc.assert(
      fc.property(arbitraryPlan, (g) => {
        const { audio } = g.plan;
        if (isSilentMusic(audio)) {
          expect(audio.music_volume === 0 || /mute|silen|no music/i.test(audio.mood)).toBe(true);
          return;
        }
        const a = arrangeMusic({ tempoBpm: audio.tempo_bpm, mood: audio.mood });
        expect(Number.isFinite(a.cycleSeconds) && a.cycleSeconds > 0).toBe(true);
        const args = buildMusicBedArgs({ durationSeconds: g.durationSeconds, tempoBpm: audio.tempo_bpm, mood: audio.mood, volume: audio.music_volume }, '/bed.wav');
        expect(args.join(' ')).not.toMatch(BAD_NUMBER);
      }),
      { numRuns: RUNS },
    );
  });

  it('should fit every on-screen text into its card without losing a character', () => {
    fc.assert(
      fc.property(arbitraryPlan, (g) => {
        const safe = safeAreaFor(g.aspectRatio);
        const maxWidth = g.aspectRatio === '16:9' ? Math.round(safe.widthPx * 0.58) : safe.widthPx;
        for (const line of [g.plan.hook, ...g.plan.scenes.map((s) => s.on_screen_text), g.plan.call_to_action]) {
          const fitted = fitText(line, maxWidth, { maxFontPx: 82, minFontPx: 34, maxLines: 3 }, measure);
          expect(fitted.lines.join('').replace(/\s/g, '')).toBe(line.replace(/\s/g, ''));
          for (const l of fitted.lines) {
            if (Array.from(l).length > 1) expect(measure(l, fitted.fontPx)).toBeLessThanOrEqual(maxWidth + 0.5);
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('should keep the camera inside the still on every frame of every clip', () => {
    fc.assert(
      fc.property(arbitraryPlan, (g) => {
        const { widthPx, heightPx } = OUTPUT_SIZE_PX[g.aspectRatio];
        planTimeline(g.plan).forEach((slot, i) => {
          const frames = frameCount(slot.clipSeconds);
          const path = cameraPathFor(g.plan.scenes[i].motion);
          for (const f of [0, Math.floor(frames / 2), frames - 1]) {
            const w = cameraWindowAt(path, f, frames, widthPx, heightPx);
            expect(w.zoom).toBeGreaterThanOrEqual(1);
            expect(w.leftPx).toBeGreaterThanOrEqual(-1e-6);
            expect(w.topPx).toBeGreaterThanOrEqual(-1e-6);
            expect(w.leftPx + widthPx / w.zoom).toBeLessThanOrEqual(widthPx + 1e-6);
            expect(w.topPx + heightPx / w.zoom).toBeLessThanOrEqual(heightPx + 1e-6);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});
