import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { OUTPUT_SIZE_PX, type AdPlan, type AspectRatio, type CompositionOutput, type VideoGenerationOutput } from '@app/contracts';
import { fmt, OUTPUT_FPS } from '../../src/media/clip.args';
import { assertFfmpegAvailable } from '../../src/media/ffmpeg.runner';
import { safeAreaFor, type BoxPx } from '../../src/media/safe-area';
import { planTimeline } from '../../src/media/timeline';
import { LocalClipGenerator } from '../../src/providers/local/local-clip.generator';
import { LocalImageGenerator } from '../../src/providers/local/local-image.generator';
import { LocalCompositor } from '../../src/providers/local/local.compositor';
import { textWindows } from '../../src/providers/local/render/composition-layout';
import type { ProviderContext } from '../../src/providers/ports';
import { makeAdPlan, sampleBrand, SAMPLE_REQUESTS, type SampleName } from '../fixtures/plans';
import { standaloneContext } from '../../src/providers/standalone-context';

/**
 * Proof a person would accept (docs/design/composition.md, "Checking a result"): a finished ad plays to its end in a real browser (Debian's
 * Chromium, driven by playwright-core), and in frames saved from each sample the on-screen text lies inside
 * the platform's safe zone.
 *
 * Chromium comes from Debian (`apt-get install -y chromium`); without /usr/bin/chromium the playback part
 * skips and says so. Set AD_SAMPLES_DIR to the output of `bash scripts/render-samples.sh DIR` to reuse rendered
 * samples (their clips stay next to final.mp4); otherwise the safe-zone part renders them (minutes on 2 cores).
 */

const CHROMIUM = '/usr/bin/chromium';

/** What the page's <video> reported when playback ended or failed. Seconds; pixels. */
interface PlayReport {
  ended: boolean;
  error: string | null;
  currentTime: number;
  duration: number;
  videoWidth: number;
  videoHeight: number;
  frames: number;
}

/**
 * Runs in the page (a string: this repo's tsconfig has no DOM types): a muted <video> plays `src` at 16×
 * (Chromium's highest rate: the clock still runs to the `ended` event, frames the decoder cannot keep up with
 * are dropped) and resolves on `ended` or `error` with the element's state.
 */
const PLAY_IN_PAGE = `(src) => new Promise((resolve) => {
  const v = document.createElement('video');
  v.muted = true;
  v.preload = 'auto';
  const report = (ended, error) => resolve({ ended, error, currentTime: v.currentTime, duration: v.duration,
    videoWidth: v.videoWidth, videoHeight: v.videoHeight, frames: v.getVideoPlaybackQuality().totalVideoFrames });
  v.addEventListener('ended', () => report(true, null));
  v.addEventListener('error', () => report(false, 'media error ' + (v.error && v.error.code) + ': ' + (v.error && v.error.message)));
  v.addEventListener('loadedmetadata', () => {
    v.playbackRate = 16;
    v.play().catch((e) => report(false, 'play() rejected: ' + e.message));
  });
  document.body.appendChild(v);
  v.src = src;
})`;
const hasChromium = existsSync(CHROMIUM);
/**
 * Limit for a step that renders a sample (the 60 s one is the longest): the suite runs two files side by side
 * on two shared cores, so a render can take several times its quiet-machine minute.
 */
const RENDER_TIMEOUT_MS = 900_000;

function context(workDir: string, attemptId: string): ProviderContext {
  return standaloneContext('playback-test', workDir, attemptId);
}

/** Renders one sample through the three local providers into `workDir` (final.mp4 plus clip-<n>.mp4). */
async function renderSample(name: SampleName, durationSeconds: number, aspect: AspectRatio, workDir: string, compositor = new LocalCompositor()): Promise<{ plan: AdPlan; output: CompositionOutput }> {
  await mkdir(workDir, { recursive: true });
  const plan = makeAdPlan({ durationSeconds, aspectRatio: aspect, sample: name });
  const brand = sampleBrand(name);
  const image = await new LocalImageGenerator().generate({ plan, aspect_ratio: aspect, brand_guidelines: brand }, context(workDir, 'img'));
  const slots = planTimeline(plan);
  const clips: VideoGenerationOutput[] = [];
  for (const [i, scene] of plan.scenes.entries()) {
    const input = { scene, scene_index: i, scene_count: plan.scenes.length, plan, reference_image_uri: image.output.image_uri, clip_duration: slots[i].clipSeconds, aspect_ratio: aspect, brand_guidelines: brand };
    clips.push((await new LocalClipGenerator().generate(input, context(workDir, `clip${i}`))).output);
  }
  const result = await compositor.compose({ plan, clips, duration: durationSeconds, aspect_ratio: aspect, brand_guidelines: brand }, context(workDir, 'compose'));
  return { plan, output: result.output };
}

/** Serves the files of `dir` on 127.0.0.1 with byte-range support (browsers seek media with Range requests). */
async function serveDir(dir: string): Promise<{ server: Server; base: string }> {
  const types: Record<string, string> = { '.mp4': 'video/mp4', '.webm': 'video/webm', '.html': 'text/html' };
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>ad</title><body></body>');
      return;
    }
    // Files below `dir` only (one folder per sample); anything resolving outside it is refused.
    const file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^[/\\]+/, ''));
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    stat(file).then(
      ({ size }) => {
        const headers = { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes' };
        const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
        if (!range) {
          res.writeHead(200, { ...headers, 'Content-Length': size });
          createReadStream(file).pipe(res);
          return;
        }
        const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start > end || start >= size) {
          res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
          return;
        }
        res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
        createReadStream(file, { start, end }).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** One decoded frame (by index at 30 fps) as RGB24 bytes. */
function frameRgb(file: string, frameIndex: number, widthPx: number, heightPx: number): Promise<Buffer> {
  // Input seeking keeps frames with pts ≥ the seek point; 1 ms before frame N is frame N.
  const seek = fmt(Math.max(0, frameIndex / OUTPUT_FPS - 0.001));
  const vf = 'scale=in_color_matrix=bt709:out_range=pc,format=rgb24';
  return new Promise((resolve, reject) =>
    execFile(
      'ffmpeg',
      ['-loglevel', 'error', '-ss', seek, '-i', file, '-frames:v', '1', '-vf', vf, '-f', 'rawvideo', '-'],
      { encoding: 'buffer', maxBuffer: widthPx * heightPx * 3 + 1024 },
      (err, stdout) => (err ? reject(err) : stdout.length === widthPx * heightPx * 3 ? resolve(stdout) : reject(new Error(`short frame from ${file}`))),
    ),
  );
}

/** Pixels where the two frames differ by more than `threshold` in some channel, and how many lie outside `box`. */
function textPixels(a: Buffer, b: Buffer, widthPx: number, box: BoxPx, threshold = 60): { total: number; outside: number; bbox: BoxPx | null } {
  let total = 0;
  let outside = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let p = 0, i = 0; i < a.length; p++, i += 3) {
    if (Math.abs(a[i] - b[i]) <= threshold && Math.abs(a[i + 1] - b[i + 1]) <= threshold && Math.abs(a[i + 2] - b[i + 2]) <= threshold) continue;
    const x = p % widthPx;
    const y = Math.floor(p / widthPx);
    total++;
    if (x < box.xPx || x >= box.xPx + box.widthPx || y < box.yPx || y >= box.yPx + box.heightPx) outside++;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  return { total, outside, bbox: total ? { xPx: x0, yPx: y0, widthPx: x1 - x0 + 1, heightPx: y1 - y0 + 1 } : null };
}

describe('what a person sees', () => {
  let root: string;

  beforeAll(async () => {
    await assertFfmpegAvailable();
    root = await mkdtemp(path.join(os.tmpdir(), 'playback-test-'));
  });

  afterAll(async () => {
    if (root && process.env.KEEP_TEST_DATA !== '1') await rm(root, { recursive: true, force: true });
  });

  (hasChromium ? describe : describe.skip)('playback in headless Chromium', () => {
    let browser: BrowserContext;
    let server: Server;
    let base: string;
    let output: CompositionOutput;

    beforeAll(async () => {
      // One short ad, with the WebM export on so both containers are tried.
      // Rendered where the safe-zone check of this sample looks, so it is rendered once.
      const dir = path.join(root, 'sneaker-launch');
      ({ output } = await renderSample('sneaker-launch', 15, '9:16', dir, new LocalCompositor(undefined, { exportWebm: true })));
      ({ server, base } = await serveDir(root));
      // A persistent context on a fresh profile dir: Playwright refuses --user-data-dir in launch() args.
      browser = await chromium.launchPersistentContext(await mkdtemp(path.join(root, 'chromium-profile-')), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, RENDER_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });

    /** Loads `file` in a muted <video>, plays it at 16× to its end; resolves with what the element reported. */
    async function play(file: string): Promise<PlayReport> {
      const page = await browser.newPage();
      try {
        await page.goto(`${base}/`);
        return await page.evaluate<PlayReport>(`(${PLAY_IN_PAGE})(${JSON.stringify(`${base}/${file}`)})`);
      } finally {
        await page.close();
      }
    }

    it('should report whether this Chromium decodes H.264 and VP9', async () => {
      const page = await browser.newPage();
      const support = await page.evaluate<{ h264: string; vp9: string }>(
        `({ h264: document.createElement('video').canPlayType('video/mp4; codecs="avc1.640028, mp4a.40.2"'),
            vp9: document.createElement('video').canPlayType('video/webm; codecs="vp9, opus"') })`,
      );
      await page.close();
      process.stdout.write(`Chromium canPlayType: H.264/AAC in MP4 = "${support.h264}", VP9/Opus in WebM = "${support.vp9}"\n`);
      expect(support.vp9).not.toBe('');
    });

    it('should play the MP4 to its end (when this Chromium has H.264)', async () => {
      const page = await browser.newPage();
      const h264 = await page.evaluate<string>(`document.createElement('video').canPlayType('video/mp4; codecs="avc1.640028"')`);
      await page.close();
      if (!h264) {
        process.stdout.write('This Chromium build has no H.264 decoder (proprietary codecs off): the WebM export is the playback proof.\n');
        return;
      }
      const r = await play(`sneaker-launch/${path.basename(fileURLToPath(output.video_uri))}`);
      expect(r).toMatchObject({ ended: true, error: null, videoWidth: 1080, videoHeight: 1920 });
      expect(Math.abs(r.currentTime - r.duration)).toBeLessThan(0.1);
      expect(Math.abs(r.duration - 15)).toBeLessThan(0.2);
      expect(r.frames).toBeGreaterThan(0);
    });

    it.each(SAMPLE_REQUESTS.map((r) => [r.name, r] as const))('should play sample %s to its end', async (name, req) => {
      // Rendered where the safe-zone check below looks, so each sample is rendered once per run.
      const dir = path.join(root, name);
      if (!existsSync(path.join(dir, 'final.mp4'))) await renderSample(name, req.durationSeconds, req.aspectRatio, dir);
      const r = await play(`${name}/final.mp4`);
      const { widthPx, heightPx } = OUTPUT_SIZE_PX[req.aspectRatio];
      expect(r).toMatchObject({ ended: true, error: null, videoWidth: widthPx, videoHeight: heightPx });
      expect(Math.abs(r.currentTime - r.duration)).toBeLessThan(0.1);
      expect(Math.abs(r.duration - req.durationSeconds)).toBeLessThan(0.2);
    }, RENDER_TIMEOUT_MS);

    it('should play the WebM export to its end', async () => {
      expect(output.webm_uri).toBeDefined();
      const r = await play(`sneaker-launch/${path.basename(fileURLToPath(output.webm_uri!))}`);
      expect(r).toMatchObject({ ended: true, error: null, videoWidth: 1080, videoHeight: 1920 });
      expect(Math.abs(r.currentTime - r.duration)).toBeLessThan(0.1);
      expect(Math.abs(r.duration - 15)).toBeLessThan(0.2);
      expect(r.frames).toBeGreaterThan(0);
    });
  });

  if (!hasChromium) {
    it.skip(`playback: ${CHROMIUM} is absent — install Debian's chromium (apt-get install -y chromium) to run it`, () => undefined);
  }

  describe.each(SAMPLE_REQUESTS.map((r) => [r.name, r] as const))('sample %s: text inside the safe zone', (name, req) => {
    it('should keep every scene\'s text inside the safe area in frames of the finished ad', async () => {
      const reuse = process.env.AD_SAMPLES_DIR ? path.join(process.env.AD_SAMPLES_DIR, name) : null;
      const dir = reuse && existsSync(path.join(reuse, 'final.mp4')) ? reuse : path.join(root, name);
      const plan = makeAdPlan({ durationSeconds: req.durationSeconds, aspectRatio: req.aspectRatio, sample: name });
      if (!existsSync(path.join(dir, 'final.mp4'))) await renderSample(name, req.durationSeconds, req.aspectRatio, dir);
      const { widthPx, heightPx } = OUTPUT_SIZE_PX[req.aspectRatio];
      const safe = safeAreaFor(req.aspectRatio);
      const slots = planTimeline(plan);
      const windows = textWindows(plan, slots, req.durationSeconds);
      for (const [k, slot] of slots.entries()) {
        // A moment when the card is fully in (after fade and slide), inside scene k's own stretch: the ad's
        // frame there is clip k's frame plus the card, so their difference is the text. (The local provider's
        // clips carry the grade already: VideoGenerationOutput.color_grade.)
        const t = (windows[k].start + 0.6 + windows[k].end - TEXT_END_MARGIN_SECONDS) / 2;
        const n = Math.round(t * OUTPUT_FPS);
        const withText = await frameRgb(path.join(dir, 'final.mp4'), n, widthPx, heightPx);
        const without = await frameRgb(path.join(dir, `clip-${k + 1}.mp4`), n - Math.round(slot.startSeconds * OUTPUT_FPS), widthPx, heightPx);
        const px = textPixels(withText, without, widthPx, safe);
        // The card is there (thousands of pixels) and nothing the overlay changed lies outside the safe area.
        expect({ scene: k + 1, present: px.total > 2000, outside: px.outside }).toEqual({ scene: k + 1, present: true, outside: 0 });
      }
    }, RENDER_TIMEOUT_MS);
  });
});

/** Seconds kept clear of a card's fade-out when picking the frame to look at. */
const TEXT_END_MARGIN_SECONDS = 0.5;
