import { MAX_SCENES, MIN_SCENES, validateAdPlan, type AdPlan } from './ad-plan';

/** Shortest and longest scene the plan schema allows, seconds. */
export const SCENE_MIN_SECONDS = 2;
export const SCENE_MAX_SECONDS = 20;

/** What {@link repairAdPlan} changed. */
export type PlanAdjustmentKind =
  | 'durations_rescaled'
  | 'scenes_renumbered'
  | 'overlay_clamped'
  | 'overlay_dropped'
  | 'color_normalized'
  | 'audio_clamped';

/**
 * One arithmetic fix applied to a planner's answer before it was accepted (docs/design/plan-repair.md).
 * `path` is a JSON pointer into the plan; `from` and `to` are the values before and after.
 */
export interface PlanAdjustment {
  kind: PlanAdjustmentKind;
  path: string;
  from: unknown;
  to: unknown;
  reason: string;
}

/** What {@link repairAdPlan} returns: the (possibly) fixed candidate and what was changed, in order. */
export interface PlanRepair {
  candidate: unknown;
  adjustments: PlanAdjustment[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Fixes by arithmetic what a planner (an LLM or a team service) commonly gets wrong, before any repair
 * request goes back to the model (docs/design/plan-repair.md):
 * - scene numbers renumbered 1..n (overlays follow their scene);
 * - scene durations that do not sum to the request, or leave 2–20 s, rescaled proportionally and rounded
 *   (whole seconds when the answer used whole seconds, else tenths), each kept in 2–20 s, the sum exact;
 * - overlay times mapped onto the rescaled scenes and clamped into their scene; overlays naming no scene dropped;
 * - palette colours normalized to `#RRGGBB` (`#abc`, `abc123`, `#AABBCCDD`);
 * - tempo clamped to 50–180 bpm, music volume to 0–1 (a percentage such as 30 read as 0.3).
 * What arithmetic cannot fix (a missing field, a wrong type, too many scenes, a text too long) is left alone for
 * {@link validateAdPlan} to report. Never throws; does not mutate its input. Pure.
 *
 * @param candidate untrusted value (parsed LLM JSON)
 * @param durationSeconds requested ad duration, seconds
 */
export function repairAdPlan(candidate: unknown, durationSeconds: number): PlanRepair {
  if (!isObj(candidate) || !Array.isArray(candidate.scenes)) return { candidate, adjustments: [] };
  const plan = structuredClone(candidate);
  const adjustments: PlanAdjustment[] = [];
  const scenes = plan.scenes as unknown[];
  const sceneObjs = scenes.every(isObj) ? scenes : null;
  const overlays = Array.isArray(plan.text_overlays) && plan.text_overlays.every(isObj) ? plan.text_overlays : null;

  if (sceneObjs) {
    const oldNumbers = sceneObjs.map((s) => s.scene_number);
    const renumber = oldNumbers.some((n, i) => n !== i + 1);
    // Overlays name their scene by number: map old numbers onto positions when the old numbers were distinct.
    const positionOf = new Map<unknown, number>();
    if (new Set(oldNumbers).size === oldNumbers.length) oldNumbers.forEach((n, i) => positionOf.set(n, i));
    if (renumber) {
      sceneObjs.forEach((s, i) => (s.scene_number = i + 1));
      adjustments.push({ kind: 'scenes_renumbered', path: '/scenes', from: oldNumbers, to: sceneObjs.map((s) => s.scene_number), reason: 'scenes must be numbered 1..n in order' });
      if (overlays) {
        overlays.forEach((o, k) => {
          const pos = positionOf.get(o.scene_number);
          if (pos !== undefined && o.scene_number !== pos + 1) {
            adjustments.push({ kind: 'scenes_renumbered', path: `/text_overlays/${k}/scene_number`, from: o.scene_number, to: pos + 1, reason: 'overlay follows its renumbered scene' });
            o.scene_number = pos + 1;
          }
        });
      }
    }

    const durations = sceneObjs.map((s) => s.duration);
    const n = sceneObjs.length;
    if (durations.every(isNum) && n >= MIN_SCENES && n <= MAX_SCENES) {
      const oldStarts = startsOf(durations);
      const next = rescaleDurations(durations, durationSeconds);
      if (next && next.some((d, i) => d !== durations[i])) {
        sceneObjs.forEach((s, i) => (s.duration = next[i]));
        const sum = round3(durations.reduce((a, b) => a + b, 0));
        adjustments.push({
          kind: 'durations_rescaled',
          path: '/scenes/*/duration',
          from: durations,
          to: next,
          reason: `scene durations summed to ${sum} s for a ${durationSeconds} s ad (each must be ${SCENE_MIN_SECONDS}-${SCENE_MAX_SECONDS} s)`,
        });
        // Overlay times keep their place inside their scene.
        if (overlays) {
          const newStarts = startsOf(next);
          for (const o of overlays) {
            const i = Number(o.scene_number) - 1;
            if (!(i >= 0 && i < n) || !isNum(o.start_time) || !isNum(o.end_time)) continue;
            const map = (t: number): number => round3(newStarts[i] + ((t - oldStarts[i]) / durations[i]) * next[i]);
            o.start_time = map(o.start_time);
            o.end_time = map(o.end_time);
          }
        }
      }
    }

    if (overlays && sceneObjs.every((s) => isNum(s.duration))) {
      const ds = sceneObjs.map((s) => s.duration as number);
      const starts = startsOf(ds);
      const kept: Obj[] = [];
      overlays.forEach((o, k) => {
        const i = Number(o.scene_number) - 1;
        if (!Number.isInteger(i) || i < 0 || i >= n) {
          adjustments.push({ kind: 'overlay_dropped', path: `/text_overlays/${k}`, from: o.scene_number, to: null, reason: `overlay names scene ${String(o.scene_number)}, which the plan does not have` });
          return;
        }
        kept.push(o);
        const from = round3(starts[i]);
        const to = round3(starts[i] + ds[i]);
        const s0 = isNum(o.start_time) ? o.start_time : from;
        const e0 = isNum(o.end_time) ? o.end_time : to;
        let s = Math.min(Math.max(s0, from), to);
        let e = Math.min(Math.max(e0, from), to);
        if (e - s < 0.5) [s, e] = [from, to];
        s = round3(s);
        e = round3(e);
        if (s !== o.start_time || e !== o.end_time) {
          adjustments.push({ kind: 'overlay_clamped', path: `/text_overlays/${k}`, from: [o.start_time, o.end_time], to: [s, e], reason: `overlay of scene ${i + 1} must lie inside its scene (${from}-${to} s)` });
          o.start_time = s;
          o.end_time = e;
        }
      });
      if (kept.length !== overlays.length) plan.text_overlays = kept;
    }
  }

  const vd = plan.visual_direction;
  if (isObj(vd) && Array.isArray(vd.palette)) {
    const palette = vd.palette as unknown[];
    // Valid entries stay as written (either case passes the schema).
    const normalized = palette.map((c) => (typeof c === 'string' && /^#[0-9A-Fa-f]{6}$/.test(c) ? c : normalizeHexColor(c)));
    if (normalized.every((c) => c !== null) && normalized.some((c, i) => c !== palette[i])) {
      adjustments.push({ kind: 'color_normalized', path: '/visual_direction/palette', from: palette, to: normalized, reason: 'colours must be #RRGGBB' });
      vd.palette = normalized;
    }
  }

  const audio = plan.audio;
  if (isObj(audio)) {
    if (isNum(audio.tempo_bpm) && (audio.tempo_bpm < 50 || audio.tempo_bpm > 180)) {
      const to = Math.min(180, Math.max(50, audio.tempo_bpm));
      adjustments.push({ kind: 'audio_clamped', path: '/audio/tempo_bpm', from: audio.tempo_bpm, to, reason: 'tempo must be 50-180 bpm' });
      audio.tempo_bpm = to;
    }
    if (isNum(audio.music_volume) && (audio.music_volume < 0 || audio.music_volume > 1)) {
      // 30 means 30 %; anything else out of range is clamped.
      const v = audio.music_volume;
      const to = v > 1 && v <= 100 ? round3(v / 100) : Math.min(1, Math.max(0, v));
      adjustments.push({ kind: 'audio_clamped', path: '/audio/music_volume', from: v, to, reason: 'music volume must be 0-1' });
      audio.music_volume = to;
    }
  }
  return { candidate: plan, adjustments };
}

function startsOf(durations: number[]): number[] {
  let t = 0;
  return durations.map((d) => {
    const s = t;
    t += d;
    return s;
  });
}

/**
 * Proportional split of `total` seconds over `weights` (each result in 2–20 s), rounded to whole seconds when
 * every weight and the total are whole (else to tenths) by largest remainder, the sum exact. Non-positive
 * weights count as the minimum. Null when `total` cannot be split (n × 2 > total or n × 20 < total). Pure.
 */
export function rescaleDurations(weights: number[], total: number): number[] | null {
  const n = weights.length;
  if (n === 0 || n * SCENE_MIN_SECONDS > total + 1e-9 || n * SCENE_MAX_SECONDS < total - 1e-9) return null;
  const whole = Number.isInteger(total) && weights.every((w) => Number.isInteger(w));
  const unit = whole ? 1 : 0.1;
  const units = Math.round(total / unit);
  const lo = Math.round(SCENE_MIN_SECONDS / unit);
  const hi = Math.round(SCENE_MAX_SECONDS / unit);
  const w = weights.map((x) => Math.max(x, SCENE_MIN_SECONDS / 100));
  // Water-filling: clamp what leaves the bounds, share the rest proportionally among the others.
  const share = new Array<number>(n).fill(0);
  const fixed = new Array<boolean>(n).fill(false);
  for (let pass = 0; pass <= n; pass++) {
    const left = units - share.reduce((a, s, i) => a + (fixed[i] ? s : 0), 0);
    const free = w.reduce((a, x, i) => a + (fixed[i] ? 0 : x), 0);
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      share[i] = (w[i] / free) * left;
      if (share[i] < lo || share[i] > hi) {
        share[i] = share[i] < lo ? lo : hi;
        fixed[i] = true;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const out = share.map((s) => Math.min(hi, Math.max(lo, Math.floor(s + 1e-9))));
  let rest = units - out.reduce((a, b) => a + b, 0);
  // Largest remainder first; a unit never pushes a scene over the bound.
  const order = share.map((s, i) => ({ i, r: s - Math.floor(s + 1e-9) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; rest > 0 && k < 4 * n; k++) {
    const { i } = order[k % n];
    if (out[i] < hi) {
      out[i]++;
      rest--;
    }
  }
  for (let k = 0; rest < 0 && k < 4 * n; k++) {
    const { i } = order[n - 1 - (k % n)];
    if (out[i] > lo) {
      out[i]--;
      rest++;
    }
  }
  if (rest !== 0) return null;
  return out.map((u) => (whole ? u : Math.round(u * unit * 10) / 10));
}

/**
 * `#RRGGBB` (upper case) from `#RGB`, `RGB`, `#RRGGBB`, `RRGGBB` or `#RRGGBBAA` (alpha dropped), any case and
 * surrounding blanks; null for anything else. Pure.
 */
export function normalizeHexColor(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(value.trim());
  if (!m) return null;
  let hex = m[1];
  if (hex.length === 3) hex = hex.split('').map((c) => c + c).join('');
  return `#${hex.slice(0, 6).toUpperCase()}`;
}

/**
 * {@link repairAdPlan}, then {@link validateAdPlan} on the result: the plan a planner may accept, with the
 * repair's record in `adjustments` when anything was changed, or the problems arithmetic could not fix (what
 * goes back to the model for its one repair). Pure.
 */
export function acceptAdPlan(candidate: unknown, durationSeconds: number): { plan: AdPlan; problems: []; adjustments: PlanAdjustment[] } | { plan: null; problems: string[]; adjustments: PlanAdjustment[] } {
  const { candidate: repaired, adjustments } = repairAdPlan(candidate, durationSeconds);
  const problems = validateAdPlan(repaired, durationSeconds);
  if (problems.length > 0) return { plan: null, problems, adjustments };
  // Nothing changed: the caller's own object, as it came.
  if (adjustments.length === 0) return { plan: candidate as AdPlan, problems: [], adjustments };
  return { plan: { ...(repaired as AdPlan), adjustments }, problems: [], adjustments };
}
