import { randomBytes } from 'node:crypto';
import { OUTPUT_SIZE_PX, type AspectRatio } from '@app/contracts';
import { FakeHttpServer, json, sendFile, type FakeServerOptions } from './fake-http.server';
import { fakeClip, fakePng, pngSize } from './media-fixtures';

interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  output: unknown;
  error: string | null;
  logs: string;
  metrics: { predict_time?: number };
  created_at: string;
  urls: { get: string; cancel: string };
  /** Polls left before the next status. */
  polls: number;
  /** Outcome scripted at creation. */
  outcome: 'succeed' | 'fail';
}

/**
 * Fake Replicate HTTP API (https://replicate.com/docs/reference/http): create on
 * `POST /v1/models/{owner}/{name}/predictions` (and `POST /v1/predictions` with a version), `GET /v1/predictions/{id}`,
 * `POST /v1/predictions/{id}/cancel`; status `starting → processing → succeeded` one step per poll; outputs
 * are URLs on the fake itself (`/files/...`): a PNG for image models (size from `aspect_ratio`), an H.264
 * MP4 for video models (aspect of the `first_frame_image`/`start_image`, `duration` or 6 s), with
 * `metrics.predict_time`. Fault keys: `create:<owner/name>`, `get`, `cancel`, `outcome:<owner/name>`
 * (`content_policy` makes that model's next prediction end `failed`, as Replicate's NSFW filter does).
 */
export class FakeReplicateServer extends FakeHttpServer {
  readonly predictions = new Map<string, FakePrediction>();
  /** Polls per status step (starting → processing → succeeded). */
  pollsPerStep = 1;
  /** predict_time reported, seconds. */
  predictTimeSeconds = 4.2;

  constructor(readonly token = 'r8_fake_token', options: FakeServerOptions = {}) {
    super(options);
    const auth = (h: string | undefined): boolean => h === `Bearer ${this.token}`;
    this.on('POST', /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/, (p) => `create:${p[0]}/${p[1]}`, (req, res) => {
      if (!auth(req.raw.headers.authorization)) return json(res, 401, { detail: 'Invalid token', status: 401 });
      const input = (req.body as { input?: Record<string, unknown> })?.input;
      if (!input || typeof input.prompt !== 'string') return json(res, 422, { detail: '- input.prompt: required', status: 422, title: 'Input validation failed' });
      json(res, 201, this.view(this.create(`${req.params[0]}/${req.params[1]}`, input)));
    });
    this.on('POST', /^\/v1\/predictions$/, 'create:version', (req, res) => {
      if (!auth(req.raw.headers.authorization)) return json(res, 401, { detail: 'Invalid token', status: 401 });
      const b = req.body as { version?: string; input?: Record<string, unknown> };
      if (!b?.version || !b.input) return json(res, 422, { detail: 'version and input are required', status: 422 });
      json(res, 201, this.view(this.create(b.version.split(':')[0], b.input)));
    });
    this.on('GET', /^\/v1\/predictions\/([^/]+)$/, 'get', (req, res) => {
      if (!auth(req.raw.headers.authorization)) return json(res, 401, { detail: 'Invalid token', status: 401 });
      const p = this.predictions.get(req.params[0]);
      if (!p) return json(res, 404, { detail: 'Not found.', status: 404 });
      this.advance(p);
      json(res, 200, this.view(p));
    });
    this.on('POST', /^\/v1\/predictions\/([^/]+)\/cancel$/, 'cancel', (req, res) => {
      if (!auth(req.raw.headers.authorization)) return json(res, 401, { detail: 'Invalid token', status: 401 });
      const p = this.predictions.get(req.params[0]);
      if (!p) return json(res, 404, { detail: 'Not found.', status: 404 });
      if (p.status === 'starting' || p.status === 'processing') p.status = 'canceled';
      json(res, 200, this.view(p));
    });
    this.on(
      'GET',
      /^\/files\/([a-z0-9]+)\.(png|mp4)$/,
      'file',
      async (req, res) => {
        const p = this.predictions.get(req.params[0]);
        if (!p || p.status !== 'succeeded') return json(res, 404, { detail: 'Not found.' });
        if (req.params[1] === 'png') {
          const { widthPx, heightPx } = OUTPUT_SIZE_PX[(p.input.aspect_ratio as AspectRatio) ?? '1:1'] ?? OUTPUT_SIZE_PX['1:1'];
          return sendFile(res, await fakePng(Math.round(widthPx / 2), Math.round(heightPx / 2)), 'image/png');
        }
        const { w, h } = this.clipSize(p.input);
        return sendFile(res, await fakeClip(w, h, Number(p.input.duration ?? 6)), 'video/mp4');
      },
      false,
    );
  }

  /** Forgets scripted faults, recorded calls and predictions. */
  override reset(): void {
    super.reset();
    this.predictions.clear();
  }

  /** Predictions created for a model (to assert no second paid prediction on resume). */
  createdFor(model: string): FakePrediction[] {
    return [...this.predictions.values()].filter((p) => p.model === model);
  }

  private create(model: string, input: Record<string, unknown>): FakePrediction {
    const id = randomBytes(10).toString('hex').replace(/[^a-z0-9]/g, '');
    const outcomeFault = this.callsOfOutcome(model);
    const p: FakePrediction = {
      id,
      model,
      version: 'fake',
      input,
      status: 'starting',
      output: null,
      error: null,
      logs: '',
      metrics: {},
      created_at: new Date().toISOString(),
      urls: { get: `${this.url}/v1/predictions/${id}`, cancel: `${this.url}/v1/predictions/${id}/cancel` },
      polls: this.pollsPerStep,
      outcome: outcomeFault === 'content_policy' ? 'fail' : 'succeed',
    };
    this.predictions.set(id, p);
    return p;
  }

  /** Consumes a scripted `outcome:<model>` fault, if any. */
  private callsOfOutcome(model: string): string | null {
    return this.takeScripted(`outcome:${model}`);
  }

  private advance(p: FakePrediction): void {
    if (p.status === 'succeeded' || p.status === 'failed' || p.status === 'canceled') return;
    if (--p.polls > 0) return;
    p.polls = this.pollsPerStep;
    if (p.status === 'starting') {
      p.status = 'processing';
      return;
    }
    p.metrics = { predict_time: this.predictTimeSeconds };
    if (p.outcome === 'fail') {
      p.status = 'failed';
      p.error = 'NSFW content detected. Try running it again, or try a different prompt.';
      return;
    }
    p.status = 'succeeded';
    const isVideo = 'first_frame_image' in p.input || 'start_image' in p.input;
    p.output = isVideo ? `${this.url}/files/${p.id}.mp4` : [`${this.url}/files/${p.id}.png`];
  }

  private clipSize(input: Record<string, unknown>): { w: number; h: number } {
    const image = [input.first_frame_image, input.start_image].find((v): v is string => typeof v === 'string') ?? '';
    const m = /^data:image\/png;base64,(.*)$/.exec(image);
    const size = m ? pngSize(Buffer.from(m[1].slice(0, 64), 'base64')) : null;
    // Real image-to-video models render ~720p; keep the reference's aspect, even dimensions.
    const w = size?.widthPx ?? 1280;
    const h = size?.heightPx ?? 720;
    const scale = 720 / Math.max(w, h);
    return { w: Math.round((w * scale) / 2) * 2, h: Math.round((h * scale) / 2) * 2 };
  }

  private view(p: FakePrediction): Record<string, unknown> {
    const { polls: _polls, outcome: _outcome, ...rest } = p;
    return rest;
  }
}
