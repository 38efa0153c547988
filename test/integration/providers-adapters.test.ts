import { mkdtemp, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { validateAdPlan, type AspectRatio, type VideoGenerationInput } from '@app/contracts';
import { loadProvidersConfig, type ProvidersConfig } from '../../config/providers.config';
import { AppError, CancelledError } from '../../src/common/app-error';
import { MetricsService } from '../../src/metrics/metrics.service';
import { HttpClipGenerator } from '../../src/providers/http/http-clip.generator';
import { HttpContractClient } from '../../src/providers/http/http-contract.client';
import { HttpImageGenerator } from '../../src/providers/http/http-image.generator';
import { HttpPromptPlanner } from '../../src/providers/http/http-prompt.planner';
import { HttpCompositor } from '../../src/providers/http/http.compositor';
import { OpenAiPromptPlanner } from '../../src/providers/openai/openai.planner';
import type { ProviderContext } from '../../src/providers/ports';
import { ReplicateClipGenerator } from '../../src/providers/replicate/replicate-clip.generator';
import { ReplicateImageGenerator } from '../../src/providers/replicate/replicate-image.generator';
import { ReplicateClient } from '../../src/providers/replicate/replicate.client';
import { ProviderResilience } from '../../src/providers/resilience';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { FakeReplicateServer } from '../fakes/fake-replicate.server';
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { fakeAd, fakeClip, fakePng } from '../fakes/media-fixtures';
import { makeAdPlan } from '../fixtures/plans';

/**
 * Each remote adapter against a fake server speaking the real wire protocol on loopback, clean and under
 * each scripted fault: final code, attempts, partial cost, breaker, cancellation, resume. Timeouts and
 * backoff are shrunk through the same env variables production uses.
 */
const silent = pino({ level: 'silent' });
const REQUEST = { prompt: 'A luxury watch ad for busy founders, elegant and calm', duration: 30, aspect_ratio: '9:16' as AspectRatio, brand_guidelines: { primary_color: '#112233' } };

let openai: FakeOpenAiServer;
let replicate: FakeReplicateServer;
let team: FakeTeamServices;
let workRoot: string;

function config(extra: Record<string, string> = {}): ProvidersConfig {
  const { config: c, problems } = loadProvidersConfig({
    PROMPT_PARSER_PROVIDER: 'openai',
    IMAGE_PROVIDER: 'replicate',
    VIDEO_PROVIDER: 'replicate',
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    REPLICATE_API_TOKEN: replicate.token,
    REPLICATE_BASE_URL: `${replicate.url}/v1`,
    PROMPT_PARSER_URL: team.url,
    IMAGE_GEN_URL: team.url,
    VIDEO_GEN_URL: team.url,
    COMPOSITION_URL: team.url,
    PROMPT_PARSER_TIMEOUT_SECONDS: '0.5',
    IMAGE_GEN_TIMEOUT_SECONDS: '1',
    VIDEO_GEN_TIMEOUT_SECONDS: '3',
    COMPOSITION_TIMEOUT_SECONDS: '5',
    PROVIDER_RETRY_BASE_MS: '10',
    PROVIDER_BREAKER_OPEN_SECONDS: '60',
    REPLICATE_POLL_INITIAL_MS: '10',
    REPLICATE_POLL_MAX_MS: '20',
    ...extra,
  });
  if (problems.length) throw new Error(problems.join('; '));
  return c;
}

/** Fresh policies (and breakers) per test, as a fresh process would have. */
function kit(extra: Record<string, string> = {}) {
  const c = config(extra);
  const metrics = new MetricsService();
  const resilience = new ProviderResilience(c.resilience, silent, metrics);
  const rc = new ReplicateClient(c.replicate);
  const http = new HttpContractClient(resilience);
  return {
    c,
    metrics,
    planner: new OpenAiPromptPlanner(c.openai, c.prices.openai[c.openai.model], resilience),
    image: new ReplicateImageGenerator(rc, c.replicate, c.prices.replicate, resilience),
    clips: new ReplicateClipGenerator(rc, c.replicate, c.prices.replicate, resilience),
    httpPlanner: new HttpPromptPlanner(http, c.http),
    httpImage: new HttpImageGenerator(http, c.http),
    httpClips: new HttpClipGenerator(http, c.http),
    httpCompositor: new HttpCompositor(http, c.http),
  };
}

async function context(over: Partial<ProviderContext> & { controller?: AbortController } = {}): Promise<ProviderContext & { saved: string[] }> {
  const saved: string[] = [];
  const controller = over.controller ?? new AbortController();
  return {
    jobId: `job-${Math.random().toString(36).slice(2)}`,
    attemptId: 'a1',
    signal: controller.signal,
    workDir: await mkdtemp(path.join(workRoot, 'job-')),
    heartbeat: () => undefined,
    resumeToken: null,
    saveResumeToken: async (t: string) => void saved.push(t),
    ...over,
    saved,
  };
}

async function failure(p: Promise<unknown>): Promise<AppError & { attempts?: number; costUsd?: number }> {
  try {
    await p;
  } catch (err) {
    return err as AppError & { attempts?: number; costUsd?: number };
  }
  throw new Error('expected a failure');
}

function clipInput(aspect: AspectRatio = '9:16', imageUri: string): VideoGenerationInput {
  const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: aspect });
  return { scene: plan.scenes[0], scene_index: 0, scene_count: 3, plan, reference_image_uri: imageUri, clip_duration: 5.5, aspect_ratio: aspect, brand_guidelines: null };
}

beforeAll(async () => {
  workRoot = await mkdtemp(path.join(os.tmpdir(), 'providers-adapters-'));
  openai = new FakeOpenAiServer();
  replicate = new FakeReplicateServer();
  team = new FakeTeamServices();
  await Promise.all([openai.start(), replicate.start(), team.start()]);
  // Make the media once, so no download waits on ffmpeg inside a shrunk timeout.
  await Promise.all([fakePng(540, 960), fakeClip(406, 720, 6), fakeClip(720, 720, 6), fakePng(540, 540), fakeClip(540, 960, 5.5), fakeAd('9:16', 15)]);
});

afterAll(async () => {
  await Promise.all([openai?.close(), replicate?.close(), team?.close()]);
});

beforeEach(() => {
  openai.reset();
  replicate.reset();
  team.reset();
  openai.retryAfterSeconds = 1;
  replicate.pollsPerStep = 1;
});

describe('OpenAI planner', () => {
  it('should plan with a strict json_schema structured output and bill usage tokens', async () => {
    const { planner } = kit();
    const r = await planner.plan(REQUEST, await context());
    expect(validateAdPlan(r.output, 30)).toEqual([]);
    expect(r.attempts).toBe(1);
    expect(r.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 10);
    const body = openai.calls[0].body as { model: string; response_format: { json_schema: { strict: boolean; name: string } } };
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.response_format.json_schema.strict).toBe(true);
  });

  it('should retry a 429 after its Retry-After and 5xx answers with backoff, counting retries', async () => {
    const { planner, metrics } = kit();
    openai.script('chat', '429', '500', '503');
    const started = Date.now();
    const r = await planner.plan(REQUEST, await context());
    expect(r.attempts).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await metrics.providerRetries.get()).values.find((v) => v.labels.provider === 'openai')?.value).toBe(3);
  });

  it('should end with RATE_LIMIT_EXCEEDED when the retries end on 429s', async () => {
    const { planner } = kit();
    openai.retryAfterSeconds = 0;
    openai.script('chat', '429', '429', '429', '429');
    const err = await failure(planner.plan(REQUEST, await context()));
    expect(err.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(err.attempts).toBe(4);
    expect(err.details).toMatchObject({ service: 'openai', attempts: 4 });
  });

  it('should end with TIMEOUT when every try hangs past the stage timeout', async () => {
    const { planner } = kit();
    openai.script('chat', 'hang', 'hang', 'hang', 'hang');
    const err = await failure(planner.plan(REQUEST, await context()));
    expect(err.code).toBe('TIMEOUT');
    expect(err.attempts).toBe(4);
  });

  it.each(['malformed', '422', 'content_policy'] as const)('should fail PROMPT_PARSING_FAILED at once on %s', async (fault) => {
    const { planner } = kit();
    openai.script('chat', fault);
    const err = await failure(planner.plan(REQUEST, await context()));
    expect(err.code).toBe('PROMPT_PARSING_FAILED');
    expect(err.attempts).toBe(1);
    expect(openai.calls).toHaveLength(1);
    // A refusal is a billed completion: its tokens are the partial cost.
    if (fault === 'content_policy') expect(err.costUsd).toBeGreaterThan(0);
  });

  it('should repair an invalid plan once, then fail with both calls billed', async () => {
    const { planner } = kit();
    openai.script('chat', 'invalid_plan');
    const ok = await planner.plan(REQUEST, await context());
    expect(ok.attempts).toBe(2);
    expect(ok.metadata).toMatchObject({ repaired: true });
    const repairMsg = (openai.calls[1].body as { messages: Array<{ role: string; content: string }> }).messages.at(-1)!;
    expect(repairMsg.content).toContain('sum to');

    openai.reset();
    openai.script('chat', 'invalid_plan', 'invalid_plan');
    const err = await failure(planner.plan(REQUEST, await context()));
    expect(err.code).toBe('PROMPT_PARSING_FAILED');
    expect(err.attempts).toBe(2);
    expect(err.costUsd).toBeCloseTo((2 * (1000 * 0.15 + 500 * 0.6)) / 1e6, 10);
  });

  it('should open the breaker after 5 failed calls and then fail fast without calling', async () => {
    const { planner, metrics } = kit({ PROVIDER_MAX_RETRIES: '1' });
    openai.script('chat', ...Array<'503'>(10).fill('503'));
    for (let i = 0; i < 5; i++) expect((await failure(planner.plan(REQUEST, await context()))).code).toBe('SERVICE_UNAVAILABLE');
    const callsBefore = openai.calls.length;
    const started = Date.now();
    const err = await failure(planner.plan(REQUEST, await context()));
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.details).toMatchObject({ circuit: 'open', service: 'openai' });
    expect(openai.calls.length).toBe(callsBefore);
    expect(Date.now() - started).toBeLessThan(100);
    expect((await metrics.circuitState.get()).values.find((v) => v.labels.provider === 'openai/prompt_parsing')?.value).toBe(1);
  });

  it('should stop at once with CancelledError when the job is cancelled mid-call', async () => {
    const { planner } = kit({ PROMPT_PARSER_TIMEOUT_SECONDS: '30' });
    openai.script('chat', 'hang');
    const controller = new AbortController();
    const p = planner.plan(REQUEST, await context({ controller }));
    await waitFor(() => openai.calls.length === 1);
    controller.abort('job-ended');
    const err = await failure(p);
    expect(err).toBeInstanceOf(CancelledError);
  });
});

describe('Replicate image and clips', () => {
  const imageInput = () => ({ plan: makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' }), aspect_ratio: '9:16' as AspectRatio, brand_guidelines: null });

  it('should make the reference image, store the prediction id before polling, download and bill it', async () => {
    const { image } = kit();
    let getsWhenSaved = -1;
    const ctx = await context({ saveResumeToken: async () => void (getsWhenSaved = replicate.callsOf('get').length) });
    const r = await image.generate(imageInput(), ctx);
    expect(getsWhenSaved).toBe(0);
    const file = fileURLToPath(r.output.image_uri);
    expect((await stat(file)).size).toBeGreaterThan(1000);
    expect(path.dirname(file)).toBe(ctx.workDir);
    expect([r.output.width, r.output.height]).toEqual([540, 960]);
    expect(r.costUsd).toBeCloseTo(0.003, 10);
    const create = replicate.callsOf('create:black-forest-labs/flux-schnell')[0].body as { input: Record<string, unknown> };
    expect(create.input).toMatchObject({ aspect_ratio: '9:16', output_format: 'png' });
  });

  it('should resume the stored prediction instead of paying for a new one', async () => {
    const { image } = kit();
    const first = await context();
    await image.generate(imageInput(), first);
    const again = await context({ resumeToken: first.saved[0] });
    const r = await image.generate(imageInput(), again);
    expect(replicate.createdFor('black-forest-labs/flux-schnell')).toHaveLength(1);
    expect(r.metadata).toMatchObject({ resumed: true });
  });

  it('should resume polling the same prediction after a poll hangs past the timeout', async () => {
    const { image } = kit();
    replicate.script('get', 'hang');
    const r = await image.generate(imageInput(), await context());
    expect(r.attempts).toBe(2);
    expect(replicate.createdFor('black-forest-labs/flux-schnell')).toHaveLength(1);
  });

  it('should fail IMAGE_GENERATION_FAILED at once on a content-policy failure and on a 422', async () => {
    const { image } = kit();
    replicate.script('outcome:black-forest-labs/flux-schnell', 'content_policy');
    const err = await failure(image.generate(imageInput(), await context()));
    expect(err.code).toBe('IMAGE_GENERATION_FAILED');
    expect(err.attempts).toBe(1);
    expect(err.details).toMatchObject({ prediction_status: 'failed' });
    replicate.script('create:black-forest-labs/flux-schnell', '422');
    const err422 = await failure(image.generate(imageInput(), await context()));
    expect(err422.code).toBe('IMAGE_GENERATION_FAILED');
    expect(err422.attempts).toBe(1);
  });

  it('should cancel the in-flight prediction on the fake when the job is cancelled', async () => {
    const { image } = kit({ IMAGE_GEN_TIMEOUT_SECONDS: '30' });
    replicate.pollsPerStep = 1_000_000;
    const controller = new AbortController();
    const ctx = await context({ controller });
    const p = image.generate(imageInput(), ctx);
    await waitFor(() => replicate.callsOf('get').length >= 2).catch((e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(replicate.calls.map((c) => [c.route, c.fault]))}`);
    });
    controller.abort('job-ended');
    expect(await failure(p)).toBeInstanceOf(CancelledError);
    const id = [...replicate.predictions.keys()][0];
    await waitFor(() => replicate.callsOf('cancel').some((c) => c.path.includes(id)));
    expect(replicate.predictions.get(id)!.status).toBe('canceled');
  });

  it('should make a clip from the reference image with MiniMax and bill per second of video', async () => {
    const { clips } = kit();
    const png = await fakePng(540, 960);
    const r = await clips.generate(clipInput('9:16', `file://${png}`), await context());
    expect(r.output.duration).toBeCloseTo(6, 1);
    expect(r.output.resolution).toBe('406x720');
    expect(r.costUsd).toBeCloseTo(6 * 0.05, 2);
    const create = replicate.callsOf('create:minimax/video-01')[0].body as { input: { first_frame_image: string } };
    expect(create.input.first_frame_image.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('should fall back to Kling when MiniMax is unavailable', async () => {
    const { clips } = kit();
    replicate.script('create:minimax/video-01', '404');
    const png = await fakePng(540, 960);
    const r = await clips.generate(clipInput('9:16', `file://${png}`), await context());
    expect(r.metadata).toMatchObject({ model: 'kwaivgi/kling-v1.6-standard' });
    const kling = replicate.callsOf('create:kwaivgi/kling-v1.6-standard')[0].body as { input: Record<string, unknown> };
    expect(kling.input).toMatchObject({ duration: 10 });
    expect(r.attempts).toBe(2);
  });
});

describe('team services (HTTP contract)', () => {
  it('should run the four endpoints and return files in the work dir', async () => {
    const k = kit();
    const ctx = await context();
    const request = { ...REQUEST, duration: 15 };
    const plan = await k.httpPlanner.plan(request, ctx);
    expect(validateAdPlan(plan.output, 15)).toEqual([]);
    expect(plan.costUsd).toBe(0.03);
    const img = await k.httpImage.generate({ plan: plan.output, aspect_ratio: '9:16', brand_guidelines: null }, ctx);
    expect(img.output.image_uri.startsWith('file://')).toBe(true);
    const clip = await k.httpClips.generate({ ...clipInput('9:16', img.output.image_uri), plan: plan.output, scene: plan.output.scenes[0] }, ctx);
    expect(clip.output.resolution).toBe('540x960');
    const ad = await k.httpCompositor.compose({ plan: plan.output, clips: plan.output.scenes.map(() => clip.output), duration: 15, aspect_ratio: '9:16', brand_guidelines: null }, ctx);
    expect(ad.output.resolution).toBe('1080x1920');
    expect(ad.costUsd).toBe(0.08);
    const compose = team.callsOf('compose')[0].body as { scenes: Array<{ start_time: number; end_time: number }> };
    expect(compose.scenes.at(-1)!.end_time).toBe(15);
  });

  it('should fail with the service message on success:false and on a non-JSON answer, without retrying', async () => {
    const k = kit();
    team.script('parse', 'content_policy');
    const err = await failure(k.httpPlanner.plan(REQUEST, await context()));
    expect(err.code).toBe('PROMPT_PARSING_FAILED');
    expect(err.message).toContain('Content policy violation');
    expect(err.attempts).toBe(1);
    team.script('parse', 'malformed');
    const bad = await failure(k.httpPlanner.plan(REQUEST, await context()));
    expect(bad.code).toBe('PROMPT_PARSING_FAILED');
    expect(bad.attempts).toBe(1);
  });

  it('should ride out transient faults (500, 503, reset) with retries', async () => {
    const k = kit();
    team.script('parse', '500', 'reset', '503');
    const r = await k.httpPlanner.plan(REQUEST, await context());
    expect(r.attempts).toBe(4);
  });
});

/** Polls a condition with a 10 s deadline (no sleeps in assertions). */
async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
