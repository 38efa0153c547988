import { createCanvas, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import { OUTPUT_SIZE_PX, type AdPlan, type AdScene, type AspectRatio, type BrandGuidelines, type SceneRole } from '@app/contracts';
import { histogramDistance, luminance, mix, rgba, withLightness, type Rgb } from '../../../media/color';
import { designColorsFor, designLayoutFor, nameBoxOf, type DesignLayout } from './reference-design.renderer';
import { brandLookFor, type BrandLook, type Tone } from './brand-look';

/** A scene's colour treatment: the reference as designed, or recoloured into one of the brand's tones. */
export type SceneTone = 'original' | Tone;

/** Role families: each gets its own crop, light direction and shape layer. */
type RoleFamily = 'hook' | 'explore' | 'desire' | 'close';

const FAMILY: Readonly<Record<SceneRole, RoleFamily>> = {
  attention: 'hook',
  problem: 'hook',
  before: 'hook',
  interest: 'explore',
  agitate: 'explore',
  bridge: 'explore',
  desire: 'desire',
  solution: 'desire',
  after: 'desire',
  action: 'close',
  cta: 'close',
};

/** Preferred tones per role family, best first; the planner walks this list (pure data). */
const TONE_PREFERENCE: Readonly<Record<RoleFamily, SceneTone[]>> = {
  hook: ['original', 'deep', 'vivid', 'light'],
  explore: ['vivid', 'light', 'deep', 'original'],
  desire: ['light', 'vivid', 'deep', 'original'],
  close: ['original', 'deep', 'vivid', 'light'],
};

/** The role's tone preference for this look: bold looks reach for the deep tone before the pale one. Pure. */
function tonePreference(family: RoleFamily, look: BrandLook): SceneTone[] {
  const prefs = TONE_PREFERENCE[family];
  if (look.kind !== 'bold') return prefs;
  return prefs.map((t) => (t === 'light' ? 'deep' : t === 'deep' ? 'light' : t));
}

/** Histogram distance a scene must keep from the previous one (check-ad counts a change above 0.35). */
export const MIN_SCENE_DISTANCE = 0.55;

/** Source window of the reference a scene shows: zoom ≥ 1 about a focus point (output pixels). Pure. */
export function cropFor(role: SceneRole, L: DesignLayout): { zoom: number; fx: number; fy: number } {
  switch (FAMILY[role]) {
    case 'hook':
      return { zoom: 1.35, fx: L.emblemX, fy: L.emblemY + L.emblemR * 0.15 };
    case 'explore':
      return { zoom: 1.08, fx: L.widthPx / 2, fy: L.heightPx / 2 };
    case 'desire':
      return { zoom: 1.7, fx: L.emblemX + L.emblemR * 0.45, fy: L.emblemY - L.emblemR * 0.2 };
    case 'close':
      return { zoom: 1, fx: L.widthPx / 2, fy: L.heightPx / 2 };
  }
}

/** Fraction of a crop's width/height the clip's camera move may cut at one side (see clip.args.ts). */
const KEN_BURNS_MARGIN = 0.11;

/** A rectangle as [x, y, width, height]. */
type Rect = [number, number, number, number];

/**
 * The role's crop as a rectangle inside the reference, moved by the smallest shift that leaves the product
 * name either wholly inside or wholly outside (a half-cut word looks like a mistake). Pure.
 */
export function cropRectFor(role: SceneRole, L: DesignLayout): Rect {
  const { zoom, fx, fy } = cropFor(role, L);
  // Try the role's zoom, then gentler ones: at some zoom the name fits wholly in or wholly out.
  for (const z of [zoom, (1 + zoom) / 2, 1]) {
    const rect = placeCrop(z, fx, fy, L);
    if (rect) return rect;
  }
  return [0, 0, L.widthPx, L.heightPx];
}

function placeCrop(zoom: number, fx: number, fy: number, L: DesignLayout): Rect | null {
  const w = L.widthPx / zoom;
  const h = L.heightPx / zoom;
  const clampX = (x: number): number => Math.min(L.widthPx - w, Math.max(0, x));
  const clampY = (y: number): number => Math.min(L.heightPx - h, Math.max(0, y));
  const x = clampX(fx - w / 2);
  const y = clampY(fy - h / 2);
  const [bl, bt, br, bb] = nameBoxOf(L);
  // "Inside" keeps a margin the Ken Burns move may crop later: zooms take up to 6.5 % per side, pans 10 %.
  const mx = w * KEN_BURNS_MARGIN;
  const my = h * KEN_BURNS_MARGIN;
  const inside = (cx: number, cy: number): boolean => bl >= cx + mx && br <= cx + w - mx && bt >= cy + my && bb <= cy + h - my;
  const outside = (cx: number, cy: number): boolean => br <= cx || bl >= cx + w || bb <= cy || bt >= cy + h;
  if (inside(x, y) || outside(x, y)) return [x, y, w, h];
  const candidates: Array<[number, number]> = [
    [x, clampY(bb)],
    [x, clampY(bt - h)],
    [clampX(br), y],
    [clampX(bl - w), y],
    [clampX(Math.min(bl - mx, Math.max(x, br + mx - w))), clampY(Math.min(bt - my, Math.max(y, bb + my - h)))],
  ];
  const ok = candidates.filter(([cx, cy]) => inside(cx, cy) || outside(cx, cy));
  if (ok.length === 0) return null;
  ok.sort((a, b) => Math.hypot(a[0] - x, a[1] - y) - Math.hypot(b[0] - x, b[1] - y));
  return [ok[0][0], ok[0][1], w, h];
}

/** Three-stop colour ramp of a tone: from the scene's dominant background colour to its brightest ink. Pure. */
export function toneRamp(tone: Tone, look: BrandLook): [Rgb, Rgb, Rgb] {
  const white = { r: 255, g: 255, b: 255 };
  switch (tone) {
    case 'deep':
      return [look.tones.deep, mix(look.tones.deep, look.primary, 0.55), withLightness(look.primary, 0.78, 0, 0.85)];
    case 'light':
      return [look.tones.light, withLightness(look.primary, 0.55, 0.4, 1), look.tones.deep];
    case 'vivid':
      return [look.tones.vivid, mix(look.tones.vivid, look.tones.light, 0.6), white];
  }
}

/**
 * Draws one scene's still at `widthPx`×`heightPx` (any size: the tone planner draws thumbnails): the
 * reference cropped per role, recoloured into the tone (each pixel's distance from the reference's background
 * luminance picks a colour on the tone's ramp, so forms survive while the dominant colour changes), a light
 * from the role's side, and the role's shape layer.
 */
export function drawSceneStill(
  ref: Image | Canvas,
  scene: Pick<AdScene, 'role'>,
  tone: SceneTone,
  look: BrandLook,
  L: DesignLayout,
  widthPx: number,
  heightPx: number,
): Canvas {
  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  const [sx, sy, sw, sh] = cropRectFor(scene.role, L);
  ctx.drawImage(ref, sx, sy, sw, sh, 0, 0, widthPx, heightPx);
  if (tone !== 'original') recolor(ctx, widthPx, heightPx, toneRamp(tone, look), luminance(designColorsFor(look).background));
  const ink = tone === 'original' ? designColorsFor(look).ink : toneRamp(tone, look)[tone === 'light' ? 1 : 2];
  drawLight(ctx, FAMILY[scene.role], widthPx, heightPx, ink);
  drawShapeLayer(ctx, FAMILY[scene.role], widthPx, heightPx, ink, widthPx / L.widthPx);
  return canvas;
}

function recolor(ctx: SKRSContext2D, w: number, h: number, ramp: [Rgb, Rgb, Rgb], bgLum: number): void {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const c = t < 0.5 ? mix(ramp[0], ramp[1], t / 0.5) : mix(ramp[1], ramp[2], (t - 0.5) / 0.5);
    lut[i * 3] = c.r;
    lut[i * 3 + 1] = c.g;
    lut[i * 3 + 2] = c.b;
  }
  const img = ctx.getImageData(0, 0, w, h);
  const d = img.data;
  // Distance from the background's (perceptual) lightness, stretched so the emblem reaches the ramp's end.
  const bg = Math.sqrt(bgLum);
  const span = Math.max(bg, 1 - bg) * 0.8;
  for (let p = 0; p < d.length; p += 4) {
    const y = Math.sqrt((0.2126 * d[p] * d[p] + 0.7152 * d[p + 1] * d[p + 1] + 0.0722 * d[p + 2] * d[p + 2]) / 65025);
    const i = Math.min(255, Math.round((Math.abs(y - bg) / span) * 255)) * 3;
    d[p] = lut[i];
    d[p + 1] = lut[i + 1];
    d[p + 2] = lut[i + 2];
  }
  ctx.putImageData(img, 0, 0);
}

function drawLight(ctx: SKRSContext2D, family: RoleFamily, w: number, h: number, ink: Rgb): void {
  const from: Record<RoleFamily, [number, number, number, number]> = {
    hook: [0, 0, w, h],
    explore: [w, 0, 0, h],
    desire: [w, h * 0.3, 0, h * 0.7],
    close: [w / 2, 0, w / 2, h],
  };
  const [x0, y0, x1, y1] = from[family];
  const light = ctx.createLinearGradient(x0, y0, x1, y1);
  light.addColorStop(0, rgba(ink, 0.16));
  light.addColorStop(0.5, rgba(ink, 0));
  ctx.fillStyle = light;
  ctx.fillRect(0, 0, w, h);
}

function drawShapeLayer(ctx: SKRSContext2D, family: RoleFamily, w: number, h: number, ink: Rgb, scale: number): void {
  ctx.save();
  const m = Math.min(w, h);
  switch (family) {
    case 'hook': {
      // Rays from the upper centre: an opening burst.
      ctx.fillStyle = rgba(ink, 0.07);
      for (let i = 0; i < 12; i++) {
        const a0 = (i / 12) * Math.PI * 2;
        ctx.beginPath();
        ctx.moveTo(w / 2, h * 0.38);
        ctx.lineTo(w / 2 + Math.cos(a0) * h * 2, h * 0.38 + Math.sin(a0) * h * 2);
        ctx.lineTo(w / 2 + Math.cos(a0 + 0.09) * h * 2, h * 0.38 + Math.sin(a0 + 0.09) * h * 2);
        ctx.fill();
      }
      break;
    }
    case 'explore': {
      // Corner brackets: a viewfinder, "look closer".
      ctx.strokeStyle = rgba(ink, 0.75);
      ctx.lineWidth = Math.max(1, 4 * scale);
      // Inset beyond what the camera move may crop (up to 10 % per side), so the brackets never show half.
      const ix = w * 0.13;
      const iy = h * 0.13;
      const len = m * 0.1;
      for (const [cx, cy, sx, sy] of [
        [ix, iy, 1, 1],
        [w - ix, iy, -1, 1],
        [ix, h - iy, 1, -1],
        [w - ix, h - iy, -1, -1],
      ]) {
        ctx.beginPath();
        ctx.moveTo(cx, cy + sy * len);
        ctx.lineTo(cx, cy);
        ctx.lineTo(cx + sx * len, cy);
        ctx.stroke();
      }
      break;
    }
    case 'desire': {
      // Soft bokeh discs: warmth and want.
      const spots: Array<[number, number, number]> = [
        [0.15, 0.2, 0.09], [0.85, 0.12, 0.06], [0.78, 0.55, 0.11], [0.22, 0.62, 0.05], [0.5, 0.08, 0.04], [0.1, 0.45, 0.07],
      ];
      for (const [x, y, r] of spots) {
        const g = ctx.createRadialGradient(x * w, y * h, 0, x * w, y * h, r * m);
        g.addColorStop(0, rgba(ink, 0.22));
        g.addColorStop(0.7, rgba(ink, 0.12));
        g.addColorStop(1, rgba(ink, 0));
        ctx.fillStyle = g;
        ctx.beginPath();
        ctx.arc(x * w, y * h, r * m, 0, Math.PI * 2);
        ctx.fill();
      }
      break;
    }
    case 'close': {
      // A double inset frame: the end card.
      // Inset beyond what the camera move may crop (up to 10 % per side), so the frame stays whole.
      ctx.strokeStyle = rgba(ink, 0.8);
      ctx.lineWidth = Math.max(1, 3 * scale);
      ctx.strokeRect(w * 0.12, h * 0.12, w * 0.76, h * 0.76);
      ctx.lineWidth = Math.max(1, 1.5 * scale);
      ctx.strokeRect(w * 0.12 + m * 0.02, h * 0.12 + m * 0.02, w * 0.76 - m * 0.04, h * 0.76 - m * 0.04);
      break;
    }
  }
  ctx.restore();
}

/** Thumbnail size the tone planner compares at (check-ad samples 32×56 frames). */
const PROBE_W = 36;

/**
 * Picks each scene's tone so that consecutive scenes differ strongly in colour distribution (check-ad counts
 * scene changes from 64-bin histogram distances > 0.35): walking the scenes in order, the first tone of the
 * role's preference list whose thumbnail is at least {@link MIN_SCENE_DISTANCE} from the previous scene's
 * wins, else the most distant one. Deterministic: every clip call computes the same plan.
 */
export function planSceneTones(ref: Image | Canvas, scenes: ReadonlyArray<Pick<AdScene, 'role'>>, look: BrandLook, L: DesignLayout): SceneTone[] {
  const w = PROBE_W;
  const h = Math.max(8, Math.round((PROBE_W * L.heightPx) / L.widthPx));
  const pixels = (scene: Pick<AdScene, 'role'>, tone: SceneTone): Uint8ClampedArray =>
    drawSceneStill(ref, scene, tone, look, L, w, h).getContext('2d').getImageData(0, 0, w, h).data;
  const tones: SceneTone[] = [];
  let previous: Uint8ClampedArray | null = null;
  for (const [i, scene] of scenes.entries()) {
    const prefs = tonePreference(FAMILY[scene.role], look).filter((t) => i === 0 || t !== tones[i - 1]);
    let best: { tone: SceneTone; px: Uint8ClampedArray; d: number } | null = null;
    for (const tone of prefs) {
      const px = pixels(scene, tone);
      const d: number = previous ? histogramDistance(previous, px) : 1;
      if (d >= MIN_SCENE_DISTANCE) {
        best = { tone, px, d };
        break;
      }
      if (!best || d > best.d) best = { tone, px, d };
    }
    if (!best) throw new Error('no tone candidates');
    tones.push(best.tone);
    previous = best.px;
  }
  return tones;
}

const ALL_TONES: readonly SceneTone[] = ['original', 'deep', 'vivid', 'light'];

/**
 * The tone of a regenerated still (refine, variant ≥ 1): a tone other than the one it had, chosen among those
 * whose thumbnail stays at least {@link MIN_SCENE_DISTANCE} from both neighbours in their planned tones (so the cut
 * to and from the new picture stays visible; see docs/design/composition.md), cycling through them with the
 * variant; when none is that far, the one farthest from its nearer neighbour. Variant 0 is the planned tone.
 * Deterministic. `tones` is every scene's planned tone ({@link planSceneTones}).
 */
export function toneForRegeneratedStill(
  ref: Image | Canvas,
  scenes: ReadonlyArray<Pick<AdScene, 'role'>>,
  tones: readonly SceneTone[],
  index: number,
  variant: number,
  look: BrandLook,
  L: DesignLayout,
): SceneTone {
  if (variant <= 0) return tones[index] ?? 'original';
  const w = PROBE_W;
  const h = Math.max(8, Math.round((PROBE_W * L.heightPx) / L.widthPx));
  const pixels = (i: number, tone: SceneTone): Uint8ClampedArray =>
    drawSceneStill(ref, scenes[i], tone, look, L, w, h).getContext('2d').getImageData(0, 0, w, h).data;
  const neighbours = [index - 1, index + 1].filter((i) => i >= 0 && i < scenes.length).map((i) => pixels(i, tones[i]));
  const scored = ALL_TONES.filter((t) => t !== tones[index]).map((tone) => {
    const px = pixels(index, tone);
    return { tone, d: neighbours.length === 0 ? 1 : Math.min(...neighbours.map((n) => histogramDistance(n, px))) };
  });
  const apart = scored.filter((c) => c.d >= MIN_SCENE_DISTANCE);
  if (apart.length > 0) return apart[(variant - 1) % apart.length].tone;
  return scored.reduce((best, c) => (c.d > best.d ? c : best)).tone;
}

/**
 * Draws scene `index`'s still from the reference design (role-specific crop, tone, light and shape layer;
 * tones planned across all scenes so neighbours differ in colour; a regenerated still takes a new tone that
 * keeps it apart from its neighbours), at the output size. Ungraded: the plan's
 * colour grade is applied when the clip is made. Deterministic for the same inputs.
 */
export function renderSceneStill(
  ref: Image | Canvas,
  s: { plan: AdPlan; scene_index: number; aspect_ratio: AspectRatio; brand_guidelines: BrandGuidelines | null; variant?: number },
): { canvas: Canvas; tone: SceneTone } {
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[s.aspect_ratio];
  const look = brandLookFor(s.plan, s.brand_guidelines);
  const layout = designLayoutFor(s.aspect_ratio);
  const tones = planSceneTones(ref, s.plan.scenes, look, layout);
  const tone = toneForRegeneratedStill(ref, s.plan.scenes, tones, s.scene_index, s.variant ?? 0, look, layout);
  return { canvas: drawSceneStill(ref, s.plan.scenes[s.scene_index], tone, look, layout, widthPx, heightPx), tone };
}
