import { createCanvas, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import type { AdPlan, AspectRatio } from '@app/contracts';
import { OUTPUT_SIZE_PX } from '@app/contracts';
import { mix, rgba, withLightness, type Rgb } from '../../../media/color';
import { canvasFont } from '../../../media/text-card.renderer';
import { seededRandom, type BrandLook } from './brand-look';

/** Where the reference design puts its hero emblem and product name, in output pixels. */
export interface DesignLayout {
  widthPx: number;
  heightPx: number;
  emblemX: number;
  emblemY: number;
  emblemR: number;
  /** Product-name block: centre x (or left x when `align` is left), baseline y, max width. */
  nameX: number;
  nameY: number;
  nameMaxWidth: number;
  /** Largest font size of the name, pixels (shrunk to fit `nameMaxWidth`). */
  namePx: number;
  align: 'center' | 'left';
}

/**
 * Layout per aspect ratio (pure). The product name sits high (below the 9:16 top UI band) and the emblem in
 * the middle, so the compositor's text cards at the bottom of the safe area never cover either; landscape
 * sets the name left and the emblem right. The name is at most 55 % of the width so a role crop (up to 1.35×)
 * plus the Ken Burns zoom (1.15×) never cuts it at the sides.
 */
export function designLayoutFor(aspect: AspectRatio): DesignLayout {
  const { widthPx: W, heightPx: H } = OUTPUT_SIZE_PX[aspect];
  const namePx = Math.round(Math.min(W, H) * 0.1);
  if (aspect === '16:9') {
    return { widthPx: W, heightPx: H, emblemX: W * 0.68, emblemY: H * 0.5, emblemR: H * 0.3, nameX: W * 0.15, nameY: H * 0.26, nameMaxWidth: W * 0.34, namePx, align: 'left' };
  }
  if (aspect === '1:1') {
    return { widthPx: W, heightPx: H, emblemX: W / 2, emblemY: H * 0.53, emblemR: W * 0.19, nameX: W / 2, nameY: H * 0.21, nameMaxWidth: W * 0.55, namePx, align: 'center' };
  }
  return { widthPx: W, heightPx: H, emblemX: W / 2, emblemY: H * 0.47, emblemR: W * 0.3, nameX: W / 2, nameY: H * 0.2, nameMaxWidth: W * 0.55, namePx, align: 'center' };
}

/** Box the product name (with its rule) can occupy, output pixels: [left, top, right, bottom]. Pure. */
export function nameBoxOf(L: DesignLayout): [number, number, number, number] {
  const left = L.align === 'center' ? L.nameX - L.nameMaxWidth / 2 : L.nameX;
  return [left, L.nameY - L.namePx * 0.85, left + L.nameMaxWidth, L.nameY + L.namePx * 0.6];
}

/** The emblem drawn at the layout's focal point, chosen from the product category. */
type EmblemKind = 'dial' | 'halo' | 'device' | 'cup' | 'swoosh' | 'orb';

function emblemFor(plan: AdPlan, look: BrandLook): EmblemKind {
  const text = `${plan.product.category} ${plan.product.name} ${plan.product.description}`;
  if (/\b(watch(es)?|clocks?|chrono\w*|timepieces?)\b/i.test(text)) return 'dial';
  if (/\b(apps?|software|saas|platform|tools?|dashboards?|project management|productivity)\b/i.test(text)) return 'device';
  if (/\b(coffee|latte|teas?|caf[eé]|espresso|mugs?|drinks?)\b/i.test(text)) return 'cup';
  if (/\b(sneakers?|shoes?|running|runners?|sports?|athlet\w*)\b/i.test(text)) return 'swoosh';
  return look.kind === 'luxury' ? 'halo' : 'orb';
}

/** Colours of the reference design for its base tone: background, ink (shapes), highlight and glow. */
export interface DesignColors {
  background: Rgb;
  backgroundEdge: Rgb;
  ink: Rgb;
  highlight: Rgb;
  glow: Rgb;
}

/** Design colours: shapes in the primary (or the secondary when the primary is the background's hue). Pure. */
export function designColorsFor(look: BrandLook): DesignColors {
  const bg = look.tones[look.baseTone];
  const black = { r: 0, g: 0, b: 0 };
  const white = { r: 255, g: 255, b: 255 };
  if (look.baseTone === 'deep') {
    return { background: bg, backgroundEdge: mix(bg, black, 0.35), ink: look.primary, highlight: withLightness(look.primary, 0.8, 0, 0.8), glow: look.primary };
  }
  if (look.baseTone === 'vivid') {
    return { background: bg, backgroundEdge: mix(bg, black, 0.3), ink: look.tones.light, highlight: white, glow: look.tones.light };
  }
  const ink = withLightness(look.primary, Math.min(0.5, withLightnessL(look.primary)), 0.4, 1);
  return { background: bg, backgroundEdge: mix(bg, look.primary, 0.18), ink, highlight: look.accent, glow: look.primary };
}

function withLightnessL(c: Rgb): number {
  const max = Math.max(c.r, c.g, c.b) / 255;
  const min = Math.min(c.r, c.g, c.b) / 255;
  return (max + min) / 2;
}

/**
 * Draws the reference design (the image every scene derives from): a tonal gradient with a glow behind a
 * category emblem (watch dial, cup, app device, motion swoosh, halo or orb), decorative lines and particles
 * placed by a seeded PRNG, the product name set in the look's display type, and a vignette.
 */
export function drawReferenceDesign(plan: AdPlan, aspect: AspectRatio, look: BrandLook, seed: number, product?: Image): Canvas {
  const L = designLayoutFor(aspect);
  const canvas = createCanvas(L.widthPx, L.heightPx);
  const ctx = canvas.getContext('2d');
  const colors = designColorsFor(look);
  const rand = seededRandom(seed);
  const { widthPx: W, heightPx: H } = L;

  const bg = ctx.createLinearGradient(0, 0, W * 0.3, H);
  bg.addColorStop(0, rgba(mix(colors.background, colors.highlight, 0.06)));
  bg.addColorStop(0.55, rgba(colors.background));
  bg.addColorStop(1, rgba(colors.backgroundEdge));
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, W, H);

  const glow = ctx.createRadialGradient(L.emblemX, L.emblemY, 0, L.emblemX, L.emblemY, L.emblemR * 2.2);
  glow.addColorStop(0, rgba(colors.glow, look.baseTone === 'deep' ? 0.42 : 0.3));
  glow.addColorStop(0.5, rgba(colors.glow, 0.1));
  glow.addColorStop(1, rgba(colors.glow, 0));
  ctx.fillStyle = glow;
  ctx.fillRect(0, 0, W, H);

  drawDecor(ctx, L, look, colors, rand);
  if (product) drawProductHero(ctx, product, productHeroBox(L, product.width, product.height), colors);
  else drawEmblem(ctx, emblemFor(plan, look), L, colors, look, rand);
  drawProductName(ctx, plan.product.name, L, look, colors);

  const vignette = ctx.createRadialGradient(W / 2, H / 2, Math.min(W, H) * 0.35, W / 2, H / 2, Math.hypot(W, H) * 0.62);
  vignette.addColorStop(0, 'rgba(0,0,0,0)');
  vignette.addColorStop(1, rgba(colors.backgroundEdge, 0.55));
  ctx.fillStyle = vignette;
  ctx.fillRect(0, 0, W, H);
  return canvas;
}

function drawDecor(ctx: SKRSContext2D, L: DesignLayout, look: BrandLook, c: DesignColors, rand: () => number): void {
  const { widthPx: W, heightPx: H } = L;
  ctx.save();
  if (look.kind === 'luxury') {
    // Diagonal light beams: the minimal luxury vocabulary. (No hairline frame here: role crops and camera
    // moves would cut it into stray lines; the closing scene draws its own frame.)
    for (let i = 0; i < 3; i++) {
      const x = W * (0.15 + 0.3 * i + 0.1 * rand());
      const beam = ctx.createLinearGradient(x, 0, x + W * 0.25, H);
      beam.addColorStop(0, rgba(c.highlight, 0));
      beam.addColorStop(0.5, rgba(c.highlight, 0.07));
      beam.addColorStop(1, rgba(c.highlight, 0));
      ctx.fillStyle = beam;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x + W * 0.08, 0);
      ctx.lineTo(x + W * 0.38, H);
      ctx.lineTo(x + W * 0.25, H);
      ctx.fill();
    }
  } else if (look.kind === 'bold') {
    ctx.fillStyle = rgba(c.ink, 0.12);
    for (let i = -2; i < 9; i++) {
      const x = (W / 6) * i + rand() * 20;
      ctx.beginPath();
      ctx.moveTo(x, H);
      ctx.lineTo(x + W * 0.06, H);
      ctx.lineTo(x + W * 0.06 + H * 0.5, 0);
      ctx.lineTo(x + H * 0.5, 0);
      ctx.fill();
    }
  } else if (look.kind === 'modern') {
    ctx.fillStyle = rgba(c.ink, 0.16);
    const step = Math.min(W, H) / 18;
    for (let y = step; y < H; y += step) {
      for (let x = step; x < W; x += step) {
        if ((x / step + y / step) % 3 === 0) continue;
        ctx.beginPath();
        ctx.arc(x, y, 2.2, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.fillStyle = rgba(c.ink, 0.1);
    ctx.beginPath();
    ctx.roundRect(-W * 0.1, H * 0.72, W * 0.7, H * 0.5, 60);
    ctx.fill();
  } else {
    // Warm and fresh: soft overlapping blobs.
    for (let i = 0; i < 7; i++) {
      const r = Math.min(W, H) * (0.08 + rand() * 0.2);
      ctx.fillStyle = rgba(i % 2 ? c.ink : c.highlight, 0.07 + rand() * 0.06);
      ctx.beginPath();
      ctx.arc(rand() * W, rand() * H, r, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  // Particles: fine specks of highlight, seeded.
  for (let i = 0; i < 60; i++) {
    ctx.fillStyle = rgba(c.highlight, 0.15 + rand() * 0.35);
    ctx.beginPath();
    ctx.arc(rand() * W, rand() * H, 1 + rand() * 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}

function ring(ctx: SKRSContext2D, x: number, y: number, r: number, width: number, style: SKRSContext2D['strokeStyle']): void {
  ctx.strokeStyle = style;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.stroke();
}

function drawEmblem(ctx: SKRSContext2D, kind: EmblemKind, L: DesignLayout, c: DesignColors, look: BrandLook, rand: () => number): void {
  const { emblemX: x, emblemY: y, emblemR: r } = L;
  ctx.save();
  ctx.shadowColor = rgba(mix(c.backgroundEdge, { r: 0, g: 0, b: 0 }, 0.5), 0.6);
  ctx.shadowBlur = r * 0.12;
  ctx.shadowOffsetY = r * 0.04;
  const metal = ctx.createLinearGradient(x - r, y - r, x + r, y + r);
  metal.addColorStop(0, rgba(c.highlight));
  metal.addColorStop(0.45, rgba(c.ink));
  metal.addColorStop(0.7, rgba(mix(c.ink, c.backgroundEdge, 0.35)));
  metal.addColorStop(1, rgba(c.highlight));
  switch (kind) {
    case 'dial': {
      ring(ctx, x, y, r, r * 0.09, metal);
      ctx.shadowBlur = 0;
      const face = ctx.createRadialGradient(x - r * 0.3, y - r * 0.3, r * 0.1, x, y, r * 0.95);
      face.addColorStop(0, rgba(mix(c.background, c.highlight, 0.12)));
      face.addColorStop(1, rgba(c.backgroundEdge));
      ctx.fillStyle = face;
      ctx.beginPath();
      ctx.arc(x, y, r * 0.955, 0, Math.PI * 2);
      ctx.fill();
      ring(ctx, x, y, r * 0.78, 1.5, rgba(c.ink, 0.6));
      for (let i = 0; i < 60; i++) {
        const a = (i / 60) * Math.PI * 2;
        const major = i % 5 === 0;
        const r0 = r * (major ? 0.8 : 0.86);
        ctx.strokeStyle = rgba(c.ink, major ? 1 : 0.7);
        ctx.lineWidth = major ? r * 0.025 : 2;
        ctx.beginPath();
        ctx.moveTo(x + Math.sin(a) * r0, y - Math.cos(a) * r0);
        ctx.lineTo(x + Math.sin(a) * r * 0.9, y - Math.cos(a) * r * 0.9);
        ctx.stroke();
      }
      const hand = (angle: number, len: number, width: number): void => {
        ctx.strokeStyle = rgba(c.ink);
        ctx.lineWidth = width;
        ctx.lineCap = 'round';
        ctx.beginPath();
        ctx.moveTo(x - Math.sin(angle) * r * 0.1, y + Math.cos(angle) * r * 0.1);
        ctx.lineTo(x + Math.sin(angle) * len, y - Math.cos(angle) * len);
        ctx.stroke();
      };
      hand((Math.PI * 2 * 10.15) / 12, r * 0.5, r * 0.045);
      hand((Math.PI * 2 * 2) / 12, r * 0.72, r * 0.03);
      ctx.fillStyle = rgba(c.highlight);
      ctx.beginPath();
      ctx.arc(x, y, r * 0.05, 0, Math.PI * 2);
      ctx.fill();
      break;
    }
    case 'halo': {
      ring(ctx, x, y, r, r * 0.06, metal);
      ring(ctx, x, y, r * 0.8, 2, rgba(c.ink, 0.7));
      ring(ctx, x, y, r * 1.18, 1.5, rgba(c.ink, 0.35));
      const gem = ctx.createLinearGradient(x, y - r * 0.5, x, y + r * 0.5);
      gem.addColorStop(0, rgba(c.highlight));
      gem.addColorStop(1, rgba(c.ink));
      ctx.fillStyle = gem;
      ctx.beginPath();
      ctx.moveTo(x, y - r * 0.5);
      ctx.lineTo(x + r * 0.38, y);
      ctx.lineTo(x, y + r * 0.5);
      ctx.lineTo(x - r * 0.38, y);
      ctx.closePath();
      ctx.fill();
      break;
    }
    case 'cup': {
      const bodyW = r * 1.25;
      const top = y - r * 0.45;
      const bottom = y + r * 0.75;
      ctx.fillStyle = metal;
      ctx.beginPath();
      ctx.moveTo(x - bodyW / 2, top);
      ctx.lineTo(x + bodyW / 2, top);
      ctx.lineTo(x + bodyW * 0.38, bottom);
      ctx.quadraticCurveTo(x, bottom + r * 0.12, x - bodyW * 0.38, bottom);
      ctx.closePath();
      ctx.fill();
      ring(ctx, x + bodyW * 0.5, y + r * 0.05, r * 0.24, r * 0.08, rgba(c.ink));
      ctx.shadowBlur = 0;
      ctx.fillStyle = rgba(mix(c.ink, { r: 60, g: 30, b: 10 }, 0.5));
      ctx.beginPath();
      ctx.ellipse(x, top, bodyW / 2, r * 0.12, 0, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = rgba(c.highlight, 0.55);
      ctx.lineWidth = r * 0.05;
      ctx.lineCap = 'round';
      for (let i = -1; i <= 1; i++) {
        ctx.beginPath();
        ctx.moveTo(x + i * r * 0.3, top - r * 0.2);
        ctx.bezierCurveTo(x + i * r * 0.3 + r * 0.18, top - r * 0.4, x + i * r * 0.3 - r * 0.18, top - r * 0.55, x + i * r * 0.3, top - r * 0.75);
        ctx.stroke();
      }
      ctx.fillStyle = rgba(c.ink, 0.5);
      ctx.beginPath();
      ctx.ellipse(x, bottom + r * 0.12, r * 0.95, r * 0.12, 0, 0, Math.PI * 2);
      ctx.fill();
      break;
    }
    case 'device': {
      const w = r * 1.1;
      const h = r * 1.9;
      ctx.translate(x, y);
      ctx.rotate(-0.12);
      ctx.fillStyle = rgba(c.ink);
      ctx.beginPath();
      ctx.roundRect(-w / 2, -h / 2, w, h, r * 0.14);
      ctx.fill();
      ctx.shadowBlur = 0;
      ctx.fillStyle = rgba(mix(c.background, { r: 255, g: 255, b: 255 }, 0.6));
      ctx.beginPath();
      ctx.roundRect(-w / 2 + r * 0.06, -h / 2 + r * 0.06, w - r * 0.12, h - r * 0.12, r * 0.1);
      ctx.fill();
      for (let i = 0; i < 6; i++) {
        const done = i < 4;
        ctx.fillStyle = rgba(done ? c.ink : c.highlight, done ? 0.85 : 0.6);
        ctx.beginPath();
        ctx.roundRect(-w / 2 + r * 0.16, -h / 2 + r * (0.3 + i * 0.27), (w - r * 0.32) * (0.45 + 0.5 * rand()), r * 0.13, r * 0.06);
        ctx.fill();
      }
      ctx.fillStyle = rgba(c.highlight);
      ctx.beginPath();
      ctx.arc(w / 2 - r * 0.05, -h / 2 + r * 0.1, r * 0.2, 0, Math.PI * 2);
      ctx.fill();
      break;
    }
    case 'swoosh': {
      // Tapered speed streaks behind a bold swoosh in the accent colour, inside a thin orbit.
      ctx.shadowBlur = 0;
      for (let i = 0; i < 6; i++) {
        const yy = y - r * 0.45 + i * r * 0.16;
        const x0 = x - r * (1.25 - (i % 3) * 0.12);
        const x1 = x - r * (0.15 + (i % 2) * 0.2);
        const streak = ctx.createLinearGradient(x0, yy, x1, yy);
        streak.addColorStop(0, rgba(c.ink, 0));
        streak.addColorStop(1, rgba(c.ink, 0.7));
        ctx.strokeStyle = streak;
        ctx.lineWidth = r * (0.025 + 0.015 * (i % 2));
        ctx.lineCap = 'round';
        ctx.beginPath();
        ctx.moveTo(x0, yy);
        ctx.lineTo(x1, yy);
        ctx.stroke();
      }
      ring(ctx, x + r * 0.1, y, r * 1.02, r * 0.018, rgba(c.highlight, 0.55));
      ctx.shadowBlur = r * 0.12;
      const swoosh = ctx.createLinearGradient(x - r, y + r * 0.5, x + r, y - r * 0.5);
      swoosh.addColorStop(0, rgba(look.accent));
      swoosh.addColorStop(1, rgba(mix(look.accent, c.highlight, 0.35)));
      ctx.fillStyle = swoosh;
      ctx.beginPath();
      ctx.moveTo(x - r * 1.05, y + r * 0.15);
      ctx.bezierCurveTo(x - r * 0.45, y + r * 0.95, x + r * 0.55, y + r * 0.45, x + r * 1.15, y - r * 0.6);
      ctx.bezierCurveTo(x + r * 0.45, y + r * 0.05, x - r * 0.45, y + r * 0.5, x - r * 1.05, y + r * 0.15);
      ctx.fill();
      break;
    }
    case 'orb': {
      const orb = ctx.createRadialGradient(x - r * 0.35, y - r * 0.35, r * 0.05, x, y, r);
      orb.addColorStop(0, rgba(c.highlight));
      orb.addColorStop(0.6, rgba(c.ink));
      orb.addColorStop(1, rgba(mix(c.ink, c.backgroundEdge, 0.5)));
      ctx.fillStyle = orb;
      ctx.beginPath();
      ctx.arc(x, y, r * 0.85, 0, Math.PI * 2);
      ctx.fill();
      ring(ctx, x, y, r * 1.05, r * 0.03, rgba(c.ink, 0.6));
      break;
    }
  }
  ctx.restore();
  if (look.kind !== 'luxury') return;
  // Two thin orbit arcs hint at motion around the hero without adding clutter.
  ctx.save();
  ctx.strokeStyle = rgba(c.ink, 0.45);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(x, y, r * 1.3, -Math.PI * 0.85, -Math.PI * 0.35);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(x, y, r * 1.3, Math.PI * 0.15, Math.PI * 0.65);
  ctx.stroke();
  ctx.restore();
}

function drawProductName(ctx: SKRSContext2D, name: string, L: DesignLayout, look: BrandLook, c: DesignColors): void {
  const family = canvasFont(look.displayFont);
  const text = look.uppercase ? name.toLocaleUpperCase() : name;
  let fontPx = L.namePx;
  const width = (px: number): number => {
    ctx.font = `${px}px ${family}`;
    return ctx.measureText(text).width + px * look.trackingEm * Array.from(text).length;
  };
  while (fontPx > 24 && width(fontPx) > L.nameMaxWidth) fontPx -= 2;
  ctx.save();
  ctx.font = `${fontPx}px ${family}`;
  ctx.letterSpacing = `${Math.round(fontPx * look.trackingEm)}px`;
  ctx.textAlign = L.align;
  ctx.textBaseline = 'alphabetic';
  ctx.shadowColor = rgba(c.backgroundEdge, 0.8);
  ctx.shadowBlur = fontPx * 0.2;
  ctx.fillStyle = rgba(c.ink);
  const x = L.align === 'center' ? L.nameX + (fontPx * look.trackingEm) / 2 : L.nameX;
  ctx.fillText(text, x, L.nameY);
  ctx.shadowBlur = 0;
  const ruleW = Math.min(width(fontPx), L.nameMaxWidth) * 0.35;
  const ruleX = L.align === 'center' ? L.nameX - ruleW / 2 : L.nameX;
  ctx.fillStyle = rgba(c.highlight, 0.9);
  ctx.fillRect(ruleX, L.nameY + fontPx * 0.45, ruleW, Math.max(2, fontPx * 0.05));
  ctx.restore();
}

/**
 * Where the client's product photo sits in the reference design (docs/design/composition.md, "Brand assets"):
 * in place of the emblem, centred on the emblem's focal point, the whole photo fitted (aspect kept, never
 * cropped) inside a square of 2.3 × the emblem radius and never past the frame. Output pixels. Pure.
 */
export function productHeroBox(L: DesignLayout, imageWidthPx: number, imageHeightPx: number): { xPx: number; yPx: number; widthPx: number; heightPx: number } {
  const side = Math.min(L.emblemR * 2.3, L.widthPx * 0.9, L.heightPx * 0.9);
  const scale = Math.min(side / imageWidthPx, side / imageHeightPx);
  const widthPx = Math.round(imageWidthPx * scale);
  const heightPx = Math.round(imageHeightPx * scale);
  const xPx = Math.round(Math.min(Math.max(L.emblemX - widthPx / 2, 0), L.widthPx - widthPx));
  const yPx = Math.round(Math.min(Math.max(L.emblemY - heightPx / 2, 0), L.heightPx - heightPx));
  return { xPx, yPx, widthPx, heightPx };
}

/** The product photo on a soft glow shadow with rounded corners, so it sits in the design rather than on it. */
function drawProductHero(ctx: SKRSContext2D, product: Image, box: { xPx: number; yPx: number; widthPx: number; heightPx: number }, c: DesignColors): void {
  const r = Math.round(Math.min(box.widthPx, box.heightPx) * 0.06);
  ctx.save();
  ctx.shadowColor = rgba(c.backgroundEdge, 0.6);
  ctx.shadowBlur = Math.round(Math.min(box.widthPx, box.heightPx) * 0.08);
  ctx.fillStyle = rgba(c.background, 1);
  ctx.beginPath();
  ctx.roundRect(box.xPx, box.yPx, box.widthPx, box.heightPx, r);
  ctx.fill();
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(box.xPx, box.yPx, box.widthPx, box.heightPx, r);
  ctx.clip();
  ctx.drawImage(product, box.xPx, box.yPx, box.widthPx, box.heightPx);
  ctx.restore();
}
