import { OUTPUT_SIZE_PX, type AspectRatio } from '@app/contracts';
import { makeAdPlan } from '../fixtures/plans';
import { FakeHttpServer, json, sendFile, type FakeServerOptions } from './fake-http.server';
import { fakeAd, fakeClip, fakePng } from './media-fixtures';

/**
 * Fake team services of the HTTP contract (docs/providers.md, "Stage services (HTTP contract)"), all four on
 * one server: `POST /parse`, `/generate-image`, `/generate-video`, `/compose`, each
 * answering `{success, result, cost, processing_time, metadata}`; result files under `/files/...`.
 * `/parse` answers the contract's `{scenes, visual_direction, audio, text_overlays}` only; `/compose` returns a
 * pre-made deliverable ad (ffmpeg) of the requested aspect and duration. Fault keys: `parse`, `image`,
 * `video`, `compose`; `content_policy` answers `success: false`.
 */
export class FakeTeamServices extends FakeHttpServer {
  /** USD each service reports. */
  readonly costs = { parse: 0.03, image: 0.2, video: 0.3, compose: 0.08 };

  constructor(options: FakeServerOptions = {}) {
    super(options);
    const refuse = (res: Parameters<typeof json>[0]): void => json(res, 200, { success: false, result: null, cost: 0, processing_time: 0.1, error: 'Content policy violation: prompt rejected' });
    this.on('POST', /^\/parse$/, 'parse', (req, res) => {
      if (req.fault === 'content_policy') return refuse(res);
      const b = req.body as { duration: number; aspect_ratio: AspectRatio };
      const { scenes, visual_direction, audio, text_overlays } = makeAdPlan({ durationSeconds: b.duration, aspectRatio: b.aspect_ratio });
      json(res, 200, { success: true, result: { scenes, visual_direction, audio, text_overlays }, cost: this.costs.parse, processing_time: 0.4, metadata: { model: 'fake-parser' } });
    });
    this.on('POST', /^\/generate-image$/, 'image', (req, res) => {
      if (req.fault === 'content_policy') return refuse(res);
      const aspect = (req.body as { aspect_ratio?: AspectRatio }).aspect_ratio ?? '1:1';
      json(res, 200, { success: true, result: { image_url: `/files/image/${aspect.replace(':', 'x')}.png`, seed: 1234 }, cost: this.costs.image, processing_time: 1.1, metadata: {} });
    });
    this.on('POST', /^\/generate-video$/, 'video', (req, res) => {
      if (req.fault === 'content_policy') return refuse(res);
      const b = req.body as { aspect_ratio: AspectRatio; duration: number };
      const seconds = Math.ceil(b.duration * 2) / 2;
      const { widthPx, heightPx } = OUTPUT_SIZE_PX[b.aspect_ratio];
      json(res, 200, {
        success: true,
        result: { video_url: `/files/video/${b.aspect_ratio.replace(':', 'x')}/${seconds}.mp4`, duration: seconds, resolution: `${widthPx / 2}x${heightPx / 2}` },
        cost: this.costs.video,
        processing_time: 3.2,
        metadata: {},
      });
    });
    this.on('POST', /^\/compose$/, 'compose', async (req, res) => {
      if (req.fault === 'content_policy') return refuse(res);
      const b = req.body as { aspect_ratio: AspectRatio; duration: number; scenes: unknown[] };
      const tag = `${b.aspect_ratio.replace(':', 'x')}/${b.duration}`;
      const ad = await fakeAd(b.aspect_ratio, b.duration);
      json(res, 200, {
        success: true,
        result: { video_url: `/files/ad/${tag}.mp4`, thumbnail_url: `/files/ad/${tag}.jpg`, duration: b.duration, file_size: 0 },
        cost: this.costs.compose,
        processing_time: 5,
        metadata: { scenes: b.scenes.length, file: ad.video },
      });
    });
    const aspectOf = (s: string): AspectRatio => s.replace('x', ':') as AspectRatio;
    this.on('GET', /^\/files\/image\/(\d+x\d+)\.png$/, 'file', async (req, res) => {
      const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspectOf(req.params[0])];
      await sendFile(res, await fakePng(widthPx / 2, heightPx / 2), 'image/png');
    }, false);
    this.on('GET', /^\/files\/video\/(\d+x\d+)\/([\d.]+)\.mp4$/, 'file', async (req, res) => {
      const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspectOf(req.params[0])];
      await sendFile(res, await fakeClip(widthPx / 2, heightPx / 2, Number(req.params[1])), 'video/mp4');
    }, false);
    this.on('GET', /^\/files\/ad\/(\d+x\d+)\/(\d+)\.(mp4|jpg)$/, 'file', async (req, res) => {
      const ad = await fakeAd(aspectOf(req.params[0]), Number(req.params[1]));
      await sendFile(res, req.params[2] === 'mp4' ? ad.video : ad.thumbnail, req.params[2] === 'mp4' ? 'video/mp4' : 'image/jpeg');
    }, false);
  }
}
