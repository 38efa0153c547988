import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { buildCompositionArgs, buildCompositionGraph } from '../../src/media/composition.args';
import { assertFfmpegAvailable, FfmpegRunner } from '../../src/media/ffmpeg.runner';
import { normalisationGainDb, parseEbur128Summary } from '../../src/media/loudness';
import { buildMusicBedArgs, DEFAULT_LOUDNESS_TARGET } from '../../src/media/music-bed';
import { canvasFont, fontFamilyList, registerCanvasFonts, renderCtaCard, renderTextCard, type TextCardStyle } from '../../src/media/text-card.renderer';
import { brandLookFor } from '../../src/providers/local/design/brand-look';
import { ctaCardStyle } from '../../src/providers/local/render/composition-layout';
import { makeAdPlan } from '../fixtures/plans';

/**
 * Text with quotes, percent signs, backslashes, emoji and CJK renders correctly (docs/design/composition.md,
 * "Text"): looks at pixels,
 * not exit codes. Each awkward glyph is drawn alone with the app's font stack and must leave ink that differs
 * from the missing-glyph box; then a card with all of them goes through the real composition filtergraph and
 * ffmpeg, and the decoded frame must match the same card composited directly with canvas.
 */

const HARD_TEXT = '"50% OFF" \\ 限定 ☕🔥: today';
const GLYPHS = ['"', '%', '\\', ':', '限', '定', '☕', '🔥'];
/** U+FFFF is a noncharacter: no font maps it, so it draws as the missing-glyph box (tofu) or nothing. */
const TOFU = '\uFFFF';
const SIZE = 96;

/** Draws `text` white on black at 72 px with `family`; returns the RGBA pixels of the SIZE×SIZE canvas. */
function drawGlyph(text: string, family: string): Uint8ClampedArray {
  const canvas = createCanvas(SIZE, SIZE);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, SIZE, SIZE);
  ctx.font = `72px ${family}`;
  ctx.fillStyle = '#fff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, SIZE / 2, SIZE / 2);
  return ctx.getImageData(0, 0, SIZE, SIZE).data;
}

/** Pixels whose brightest channel exceeds `threshold` (ink on a dark ground). */
function inkCount(px: Uint8ClampedArray, threshold = 64): number {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (Math.max(px[i], px[i + 1], px[i + 2]) > threshold) n++;
  return n;
}

/** Share of pixels (0–1) that differ by more than 64 in any channel. */
function differingShare(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i] - b[i]) > 64 || Math.abs(a[i + 1] - b[i + 1]) > 64 || Math.abs(a[i + 2] - b[i + 2]) > 64) n++;
  }
  return n / (a.length / 4);
}

/** Pixels with clear colour (max − min channel > `threshold`): Noto Color Emoji draws colour, a monochrome font does not. */
function colouredCount(px: Uint8ClampedArray, threshold = 60): number {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > threshold) n++;
  return n;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(file, args, (err) => (err ? reject(err) : resolve())));
}

describe('text rendering with the bundled fonts', () => {
  let family: string;

  beforeAll(() => {
    family = canvasFont('sansBold');
  });

  it('should list the CJK and emoji fallbacks after the role font', () => {
    expect(fontFamilyList('serif', false)).toBe('AdSerif, AdCjk, AdEmoji');
    expect(fontFamilyList('sansBold', true)).toBe('AdBrand, AdSansBold, AdCjk, AdEmoji');
    expect(registerCanvasFonts()).toEqual({ brand: false });
  });

  it.each(GLYPHS)('should draw %s as a real glyph, not the missing-glyph box', (glyph) => {
    const drawn = drawGlyph(glyph, family);
    const tofu = drawGlyph(TOFU, family);
    expect(inkCount(drawn)).toBeGreaterThan(40);
    // A real glyph differs from tofu in a good share of the canvas (identical drawings differ in 0 %).
    expect(differingShare(drawn, tofu)).toBeGreaterThan(0.02);
  });

  it('should draw CJK and emoji only thanks to the fallbacks (DejaVu alone shows tofu)', () => {
    for (const glyph of ['限', '🔥']) {
      const dejavuOnly = drawGlyph(glyph, 'AdSansBold');
      const tofu = drawGlyph(TOFU, 'AdSansBold');
      expect(differingShare(dejavuOnly, tofu)).toBeLessThan(0.005);
      expect(differingShare(drawGlyph(glyph, family), dejavuOnly)).toBeGreaterThan(0.02);
    }
  });

  it('should draw the emoji in colour', () => {
    expect(colouredCount(drawGlyph('🔥', family))).toBeGreaterThan(300);
  });

  it('should set the closing card with the name, the offer and the CTA button in brand colours', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cta-card-'));
    try {
      const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16', sample: 'sneaker-launch' });
      const style = ctaCardStyle(brandLookFor(plan, null));
      const content = { productName: 'Tideline Runner', offer: '"50% OFF" \\ 限定 🔥', callToAction: 'Shop the drop: today' };
      const card = await renderCtaCard(content, 920, style, path.join(dir, 'cta.png'));
      expect(card.lines.join(' ')).toBe(`TIDELINE RUNNER ${content.offer} ${content.callToAction}`);
      expect(card.widthPx).toBeLessThanOrEqual(920);
      const img = await loadImage(await readFile(card.path));
      const ctx = createCanvas(card.widthPx, card.heightPx).getContext('2d');
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, card.widthPx, card.heightPx).data;
      // The button: a run of pixels in the brand primary across the card's lower part.
      let button = 0;
      for (let i = 0; i < px.length; i += 4) {
        const c = style.buttonColor;
        if (Math.abs(px[i] - c.r) < 4 && Math.abs(px[i + 1] - c.g) < 4 && Math.abs(px[i + 2] - c.b) < 4 && px[i + 3] > 250) button++;
      }
      expect(button).toBeGreaterThan(5000);
      expect(colouredCount(px, 100)).toBeGreaterThan(button);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('through the composition filtergraph and ffmpeg', () => {
    let dir: string;

    beforeAll(async () => {
      await assertFfmpegAvailable();
      dir = await mkdtemp(path.join(os.tmpdir(), 'text-rendering-'));
    });

    afterAll(async () => {
      if (dir && process.env.KEEP_TEST_DATA !== '1') await rm(dir, { recursive: true, force: true });
    });

    it('should show the card in the decoded frame exactly as canvas draws it', async () => {
      const W = 720;
      const H = 1280;
      const durationSeconds = 3;
      const runner = new FfmpegRunner();
      const clip = path.join(dir, 'clip.mp4');
      await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x2a4d7a:size=${W}x${H}:rate=30:duration=${durationSeconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-pix_fmt', 'yuv420p', clip]);
      const bed = path.join(dir, 'music.wav');
      const music = await runner.run(buildMusicBedArgs({ durationSeconds, tempoBpm: 100, mood: 'upbeat', volume: 0.3 }, bed), { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000 });
      const loudness = parseEbur128Summary(music.stderrTail);
      expect(loudness).not.toBeNull();

      const style: TextCardStyle = {
        font: 'sansBold',
        textColor: { r: 255, g: 255, b: 255 },
        plateColor: { r: 20, g: 24, b: 40 },
        plateAlpha: 0.7,
        // White rule: the only saturated colour on the card is then the emoji's.
        accentColor: { r: 255, g: 255, b: 255 },
        maxFontPx: 56,
        minFontPx: 28,
        maxLines: 3,
        uppercase: false,
        letterSpacingPx: 0,
      };
      const card = await renderTextCard(HARD_TEXT, W - 80, style, path.join(dir, 'card.png'));
      expect(card.lines.join(' ')).toBe(HARD_TEXT);
      const xPx = 40;
      const yPx = 600;
      const spec = {
        widthPx: W,
        heightPx: H,
        durationSeconds,
        clips: [{ path: clip, seconds: durationSeconds }],
        transitions: [],
        texts: [{ path: card.path, xPx, yPx, startSeconds: 0.3, endSeconds: 2.8, fadeSeconds: 0.3 }],
        musicPath: bed,
        musicGainDb: normalisationGainDb(loudness!, DEFAULT_LOUDNESS_TARGET),
        grade: 'neutral' as const,
        fadeSeconds: 0.2,
        graphPath: path.join(dir, 'graph.txt'),
        outputPath: path.join(dir, 'out.mp4'),
        preset: 'veryfast',
        crf: 16,
      };
      await writeFile(spec.graphPath, buildCompositionGraph(spec));
      await runner.run(buildCompositionArgs(spec), { errorCode: 'COMPOSITION_FAILED', timeoutMs: 120_000 });
      const framePath = path.join(dir, 'frame.png');
      await run('ffmpeg', ['-loglevel', 'error', '-y', '-ss', '1.5', '-i', spec.outputPath, '-frames:v', '1', '-vf', 'scale=out_range=pc:in_color_matrix=bt709,format=rgb24', framePath]);

      // Reference: the same card drawn straight onto the background colour the frame shows outside the card.
      const frame = await loadImage(await readFile(framePath));
      const frameCtx = createCanvas(W, H).getContext('2d');
      frameCtx.drawImage(frame, 0, 0);
      const got = frameCtx.getImageData(xPx, yPx, card.widthPx, card.heightPx).data;
      const [br, bg, bb] = frameCtx.getImageData(8, 8, 1, 1).data;
      const refCtx = createCanvas(card.widthPx, card.heightPx).getContext('2d');
      refCtx.fillStyle = `rgb(${br},${bg},${bb})`;
      refCtx.fillRect(0, 0, card.widthPx, card.heightPx);
      refCtx.drawImage(await loadImage(await readFile(card.path)), 0, 0);
      const want = refCtx.getImageData(0, 0, card.widthPx, card.heightPx).data;

      let sum = 0;
      for (let i = 0; i < got.length; i += 4) sum += Math.abs(got[i] - want[i]) + Math.abs(got[i + 1] - want[i + 1]) + Math.abs(got[i + 2] - want[i + 2]);
      const meanAbs = sum / ((got.length / 4) * 3);
      // Chroma subsampling and x264 blur thin strokes a little; a missing glyph or an empty card is far off.
      expect(meanAbs).toBeLessThan(6);
      // The text is there: many bright pixels, and the emoji's colour survives.
      // (The plate over the blue ground stays below 160 and below a 100 colour spread; the corners too.)
      expect(inkCount(got, 160)).toBeGreaterThan(2000);
      expect(colouredCount(got, 100)).toBeGreaterThan(200);
    });
  });
});
