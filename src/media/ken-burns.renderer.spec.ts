import { cameraPathFor, cameraWindowAt } from './clip.args';
import { KenBurnsRenderer, kenBurnsFrames } from './ken-burns.renderer';
import { yuv420FrameBytes, yuv420Planes, type Yuv420Image } from './yuv';

/** A still whose planes are smooth-but-busy patterns (distinct per plane), so every sample position matters. */
function patternStill(w: number, h: number): Yuv420Image {
  const data = new Uint8Array(yuv420FrameBytes(w, h));
  const fill = (offset: number, pw: number, ph: number, seed: number): void => {
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) data[offset + y * pw + x] = Math.round(127.5 + 120 * Math.sin((x * 0.37 + seed) * (1 + y * 0.011)) * Math.cos(y * 0.23 - seed));
    }
  };
  fill(0, w, h, 0);
  fill(w * h, w / 2, h / 2, 1);
  fill(w * h + (w / 2) * (h / 2), w / 2, h / 2, 2);
  return { widthPx: w, heightPx: h, data };
}

/** Straightforward bilinear reference of the renderer's mapping, in doubles, edges repeated. */
function referencePlane(src: Uint8Array, w: number, h: number, scale: number, left: number, top: number): number[] {
  const at = (x: number, y: number): number => src[Math.min(h - 1, y) * w + Math.min(w - 1, x)];
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    const sy = Math.min(h - 1, Math.max(0, scale * (y + 0.5) + top - 0.5));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.max(0, scale * (x + 0.5) + left - 0.5));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top2 = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom2 = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out.push(top2 * (1 - fy) + bottom2 * fy);
    }
  }
  return out;
}

function maxDifference(frame: Uint8Array, still: Yuv420Image, window: { leftPx: number; topPx: number; zoom: number }): number {
  let worst = 0;
  for (const { offset, widthPx: pw, heightPx: ph, subsampling: sub } of yuv420Planes(still.widthPx, still.heightPx)) {
    const src = still.data.subarray(offset, offset + pw * ph);
    const ref = referencePlane(src, pw, ph, 1 / window.zoom, window.leftPx / sub, window.topPx / sub);
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(frame[offset + i] - ref[i]));
  }
  return worst;
}

describe('KenBurnsRenderer', () => {
  it('should reproduce the still exactly through the identity window', () => {
    const still = patternStill(64, 48);
    const frame = new KenBurnsRenderer(still).renderFrame({ leftPx: 0, topPx: 0, zoom: 1 });
    expect(Buffer.compare(frame, Buffer.from(still.data))).toBe(0);
  });

  // Weights have 8 fractional bits (1/256 px): on the steepest slopes of the pattern that is worth up to
  // half a code value beyond the final rounding.
  it.each([
    ['a zoomed, off-centre window', 64, 48, { leftPx: 3.3, topPx: 2.71, zoom: 1.15 }],
    ['a pan between pixels', 64, 48, { leftPx: 0.4375, topPx: 1.9, zoom: 1.12 }],
    ['a window past the edge (edge pixels repeat)', 64, 48, { leftPx: -1.5, topPx: 4, zoom: 1.02 }],
    ['a width that is not a multiple of 16 or 8', 90, 50, { leftPx: 5.05, topPx: 1.25, zoom: 1.3 }],
    ['the smallest still', 4, 4, { leftPx: 0.25, topPx: 0.25, zoom: 1.5 }],
    ['a quarter-size 9:16 frame', 270, 480, { leftPx: 10.123, topPx: 17.9, zoom: 1.0731 }],
  ] as const)('should match bilinear sampling within 1.5 code values for %s', (_name, w, h, window) => {
    const still = patternStill(w, h);
    const frame = new KenBurnsRenderer(still).renderFrame(window);
    expect(frame.length).toBe(yuv420FrameBytes(w, h));
    expect(maxDifference(frame, still, window)).toBeLessThanOrEqual(1.5);
  });

  it('should take the scalar path when the window is larger than the still (zoom below 1)', () => {
    const still = patternStill(64, 48);
    const window = { leftPx: -4, topPx: -2, zoom: 0.8 };
    expect(maxDifference(new KenBurnsRenderer(still).renderFrame(window), still, window)).toBeLessThanOrEqual(1.5);
  });

  it('should move a sharp edge by sub-pixel steps that follow the camera (no whole-pixel jitter)', () => {
    // A vertical black/white edge; the camera pans 0.3 px a frame. Whole-pixel movers (zoompan) would place the
    // edge up to 0.5 px off; the renderer's edge tracks the camera within 0.02 px.
    const w = 64;
    const h = 16;
    const data = new Uint8Array(yuv420FrameBytes(w, h)).fill(128);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = x < 32 ? 16 : 235;
    const renderer = new KenBurnsRenderer({ widthPx: w, heightPx: h, data });
    for (let f = 0; f < 20; f++) {
      const left = 0.3 * f;
      const row = renderer.renderFrame({ leftPx: left, topPx: 0, zoom: 1 }).subarray(8 * w, 9 * w);
      // The edge's position from the white it lets through: every pixel right of it is white, the one it
      // crosses is white in proportion. The still's edge is at 32; seen through a window at `left`, at 32 - left.
      const white = row.reduce((sum, v) => sum + (v - 16) / 219, 0);
      expect(Math.abs(w - white - (32 - left))).toBeLessThan(0.02);
    }
  });

  it('should refuse a still whose data does not match its size', () => {
    expect(() => new KenBurnsRenderer({ widthPx: 8, heightPx: 8, data: new Uint8Array(10) })).toThrow(/needs 96 bytes/);
    expect(() => new KenBurnsRenderer({ widthPx: 7, heightPx: 8, data: new Uint8Array(84) })).toThrow();
  });

  it('should hand out frames the caller owns', () => {
    const still = patternStill(64, 48);
    const renderer = new KenBurnsRenderer(still);
    const first = renderer.renderFrame({ leftPx: 0, topPx: 0, zoom: 1 });
    renderer.renderFrame({ leftPx: 5, topPx: 5, zoom: 1.2 });
    expect(Buffer.compare(first, Buffer.from(still.data))).toBe(0);
  });
});

describe('kenBurnsFrames', () => {
  it('should render each frame along the camera path, lazily', () => {
    const still = patternStill(64, 48);
    const path = cameraPathFor('zoom_in');
    const frames = kenBurnsFrames(still, path, 10);
    const rendered = [...frames];
    expect(rendered).toHaveLength(10);
    expect(Buffer.compare(rendered[0], Buffer.from(still.data))).toBe(0);
    const last = new KenBurnsRenderer(still).renderFrame(cameraWindowAt(path, 9, 10, 64, 48));
    expect(Buffer.compare(rendered[9], last)).toBe(0);
  });
});
