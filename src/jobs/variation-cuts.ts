import { isSilentMusic, MAX_SCENES, musicStyleFor, TRANSITIONS, type AdPlan, type AdRequestOptions, type MusicStyle, type SceneRole, type Transition, type VideoGenerationOutput } from '@app/contracts';

/**
 * Variations of a v2 job (docs/design/composition.md, "Variations"): `numberOfVariations` cuts of one approved
 * storyboard. The clips are generated (and paid) once; each cut is a different edit of them, so the cuts
 * differ in what the composition reads from the plan: scene order (which scene hooks the viewer), the
 * transitions, and the music bed. Nothing here changes a clip (motion is baked into clips), a duration or
 * the colour grade (clips may arrive graded for the plan's grade).
 */

/** Most cuts a job may ask for (`numberOfVariations`, 1–3). */
export const MAX_VARIATIONS = 3;

/** How each cut opens: as planned, on the product's payoff scene, or on the shortest (boldest) line. */
export const CUT_NAMES = ['as_planned', 'product_first', 'bold_line'] as const;
export type CutName = (typeof CUT_NAMES)[number];

/** One cut: the plan the composition renders, and for each of its scenes the index of the base scene (and clip). */
export interface VariationCut {
  name: CutName;
  plan: AdPlan;
  /** `order[p]` is the base scene index shown at position `p`; the last scene (the closing CTA card) stays last. */
  order: number[];
}

/**
 * Roles by how directly they show the product at its best: the opener of the `product_first` cut is the
 * first non-closing scene in this order (the frameworks of docs/design/offline-planner.md: AIDA desire, PAS solution, BAB after).
 */
const PAYOFF_ROLES: readonly SceneRole[] = ['desire', 'solution', 'after', 'bridge', 'interest', 'action', 'agitate', 'before', 'attention', 'problem', 'cta'];

/** Music styles in the order cuts step through them from the base plan's style. */
const STYLE_ROTATION: readonly MusicStyle[] = ['upbeat', 'dramatic', 'elegant', 'calm'];

/** Mood words that give each style (music-bed.ts reads the style from the mood text). */
const STYLE_MOOD: Readonly<Record<MusicStyle, string>> = {
  upbeat: 'upbeat energetic',
  dramatic: 'dramatic bold',
  elegant: 'elegant refined',
  calm: 'calm warm',
};

/** Tempo factor per cut: the product-first cut pushes, the bold-line cut breathes. */
const TEMPO_FACTOR = [1, 1.15, 0.85] as const;

/**
 * How many cuts a job renders: `numberOfVariations` of a v2 job, clamped to 1–3; always 1 for v1 jobs (a v1
 * variation is a job of its own; docs/api.md, "Batches and variations"). Pure.
 */
export function variationCount(state: { apiVersion: 1 | 2; options: AdRequestOptions | null }): number {
  if (state.apiVersion !== 2) return 1;
  const n = Math.trunc(state.options?.numberOfVariations ?? 1);
  return Math.min(MAX_VARIATIONS, Math.max(1, Number.isFinite(n) ? n : 1));
}

/**
 * Cut `index` of `base` (docs/design/composition.md, "Variations"). Pure and deterministic: the same plan
 * and index always give the same cut, so a retried composition asks for the same edit (and the stage cache
 * can serve it).
 * - 0: the approved storyboard as planned (the very same plan object, order identity);
 * - 1 `product_first`: opens on the scene that shows the product's payoff (desire / solution / after),
 *   the rest in planned order; transitions one step along {@link TRANSITIONS}; the next music style, 15 % faster;
 * - 2 `bold_line`: opens on the scene with the shortest line (it sets largest and reads first), another than
 *   cut 1's opener when the plan has one, else the non-closing scenes reversed; transitions two steps along;
 *   the style after that, 15 % slower.
 * Every cut > 0 opens on another scene than the plan, uses another transition at every join and another
 * music style (unless `keepMood`: the client chose the music style, only the tempo moves). The closing
 * scene stays last (it carries the CTA card), durations are the base's (so they sum to the ad's duration),
 * scenes are renumbered 1..n with one text overlay each, and `hook` is the new opener's line.
 * @param keepMood true when the request named its music style (`audioControls.musicStyle`)
 * @throws Error when `index` is not 0–2 or the plan has fewer than 3 or more than {@link MAX_SCENES} scenes
 */
export function variationCut(base: AdPlan, index: number, keepMood = false): VariationCut {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_VARIATIONS) throw new Error(`variation index ${index} is not 0-${MAX_VARIATIONS - 1}`);
  const n = base.scenes.length;
  if (n < 3 || n > MAX_SCENES) throw new Error(`a plan of ${n} scenes cannot be cut (3-${MAX_SCENES})`);
  if (index === 0) return { name: 'as_planned', plan: base, order: base.scenes.map((_, i) => i) };

  const last = n - 1;
  const body = base.scenes.slice(0, last).map((_, i) => i);
  const productOpener = openerByRole(base, body);
  let order: number[];
  if (index === 1) {
    order = [productOpener, ...body.filter((i) => i !== productOpener), last];
  } else {
    const bold = openerByLine(base, body.filter((i) => i !== 0 && i !== productOpener));
    order = bold === null ? [...body].reverse().concat(last) : [bold, ...body.filter((i) => i !== bold), last];
  }

  const scenes = order.map((from, p) => ({
    ...base.scenes[from],
    scene_number: p + 1,
    transition: shiftTransition(base.scenes[p].transition, index),
  }));
  let t = 0;
  const text_overlays = scenes.map((s) => {
    const o = { scene_number: s.scene_number, text: s.on_screen_text, start_time: round2(t), end_time: round2(t + s.duration) };
    t += s.duration;
    return o;
  });
  const plan: AdPlan = { ...base, hook: scenes[0].on_screen_text, scenes, text_overlays, audio: cutAudio(base.audio, index, keepMood) };
  return { name: CUT_NAMES[index], plan, order };
}

/**
 * The composition input's plan and clips for cut `index`: the cut's plan and the shared clips in its order.
 * Pure. `clips` are the base plan's clips by scene index.
 */
export function cutClips<C extends VideoGenerationOutput>(cut: VariationCut, clips: readonly C[]): C[] {
  return cut.order.map((i) => clips[i]);
}

/** The non-closing scene that shows the product best, never the planned opener (that would be no new hook). */
function openerByRole(plan: AdPlan, body: number[]): number {
  const rank = (i: number): number => {
    const r = PAYOFF_ROLES.indexOf(plan.scenes[i].role);
    return r < 0 ? PAYOFF_ROLES.length : r;
  };
  const candidates = body.filter((i) => i !== 0).sort((a, b) => rank(a) - rank(b) || a - b);
  return candidates[0];
}

/** The candidate with the shortest line (ties: the later scene), or null when there is none. */
function openerByLine(plan: AdPlan, candidates: number[]): number | null {
  let best: number | null = null;
  for (const i of candidates) {
    if (best === null || plan.scenes[i].on_screen_text.length <= plan.scenes[best].on_screen_text.length) best = i;
  }
  return best;
}

function shiftTransition(t: Transition, steps: number): Transition {
  const k = TRANSITIONS.indexOf(t);
  return TRANSITIONS[((k < 0 ? 0 : k) + steps) % TRANSITIONS.length];
}

function cutAudio(audio: AdPlan['audio'], index: number, keepMood: boolean): AdPlan['audio'] {
  // A muted ad stays muted in every cut: the client asked for silence.
  if (isSilentMusic(audio)) return audio;
  const tempo = Math.min(180, Math.max(50, Math.round(audio.tempo_bpm * TEMPO_FACTOR[index])));
  if (keepMood) return { ...audio, tempo_bpm: tempo };
  const k = STYLE_ROTATION.indexOf(musicStyleFor(audio.mood));
  const style = STYLE_ROTATION[(k + index) % STYLE_ROTATION.length];
  return { ...audio, mood: STYLE_MOOD[style], tempo_bpm: tempo };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
