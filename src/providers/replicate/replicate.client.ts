import { setTimeout as delay } from 'node:timers/promises';
import type { StageName } from '@app/contracts';
import type { ReplicateSettings } from '../../../config/providers/replicate.config';
import type { ProviderContext } from '../ports';
import { ProviderError } from '../provider.errors';
import { requestJson } from '../remote-http';
import type { CallTally, StagePolicy } from '../resilience';

/** Prediction states (https://replicate.com/docs/reference/http#predictions.get). */
export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

/** The fields of a Replicate prediction this service reads. */
export interface Prediction {
  id: string;
  model?: string;
  status: PredictionStatus;
  /** A URL, a list of URLs, or model-specific JSON; set when `succeeded`. */
  output: unknown;
  error: unknown;
  /** `predict_time`: seconds of hardware time billed (https://replicate.com/docs/topics/billing). */
  metrics?: { predict_time?: number };
}

const TERMINAL: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled']);

/** Prefix of resume tokens this client writes: `replicate:<owner/name>:<prediction id>`. */
const TOKEN_PREFIX = 'replicate:';

/** Resume token of a prediction (stored before waiting so a retried attempt resumes it). Pure. */
export function predictionToken(model: string, predictionId: string): string {
  return `${TOKEN_PREFIX}${model}:${predictionId}`;
}

/** Reads a token written by {@link predictionToken}; null for anything else. Pure. */
export function parsePredictionToken(token: string | null): { model: string; predictionId: string } | null {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const rest = token.slice(TOKEN_PREFIX.length);
  const i = rest.lastIndexOf(':');
  if (i <= 0 || i === rest.length - 1) return null;
  return { model: rest.slice(0, i), predictionId: rest.slice(i + 1) };
}

/** Output URLs of a succeeded prediction (a string or an array of strings). Pure. */
export function outputUrls(output: unknown): string[] {
  if (typeof output === 'string') return [output];
  if (Array.isArray(output)) return output.filter((o): o is string => typeof o === 'string');
  return [];
}

/** Signal reasons (set by the stage runner) after which another worker resumes the prediction: don't cancel it. */
const HANDED_OVER_REASONS: ReadonlySet<unknown> = new Set(['shutdown', 'lease-lost']);

/**
 * Replicate's HTTP API with plain fetch (https://replicate.com/docs/reference/http): create a prediction of
 * an official model, poll it with growing delays until `succeeded | failed | canceled`, cancel it.
 * The token travels only in the Authorization header.
 */
export class ReplicateClient {
  constructor(private readonly settings: ReplicateSettings) {}

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.settings.apiToken.reveal()}` };
  }

  /** `POST /v1/models/{owner}/{name}/predictions` with `{input}`. */
  async create(model: string, input: Record<string, unknown>, signal: AbortSignal, stage: StageName): Promise<Prediction> {
    const res = await requestJson<Prediction>({
      method: 'POST',
      url: `${this.settings.baseUrl}/models/${model}/predictions`,
      headers: this.headers(),
      body: { input },
      signal,
      stage,
      service: `replicate ${model}`,
    });
    if (typeof res.body?.id !== 'string') throw new ProviderError('invalid_output', stage, `replicate ${model} created a prediction without an id`);
    return res.body;
  }

  /** `GET /v1/predictions/{id}`. */
  async get(id: string, signal: AbortSignal, stage: StageName): Promise<Prediction> {
    const res = await requestJson<Prediction>({ method: 'GET', url: `${this.settings.baseUrl}/predictions/${encodeURIComponent(id)}`, headers: this.headers(), signal, stage, service: 'replicate' });
    if (typeof res.body?.status !== 'string') throw new ProviderError('invalid_output', stage, `replicate prediction ${id} has no status`);
    return res.body;
  }

  /** `POST /v1/predictions/{id}/cancel`, best effort with its own 10 s bound: a failure is only logged by the caller. */
  async cancel(id: string, stage: StageName): Promise<void> {
    await requestJson<Prediction>({
      method: 'POST',
      url: `${this.settings.baseUrl}/predictions/${encodeURIComponent(id)}/cancel`,
      headers: this.headers(),
      signal: AbortSignal.timeout(10_000),
      stage,
      service: 'replicate',
    });
  }

  /**
   * Polls until the prediction is terminal, delays growing ×1.5 from `pollInitialMs` to `pollMaxMs`.
   * @throws the abort reason when `signal` fires (timeout or cancel; the policy tells which)
   */
  async wait(id: string, signal: AbortSignal, stage: StageName, heartbeat: () => void): Promise<Prediction> {
    let pause = this.settings.pollInitialMs;
    for (;;) {
      const p = await this.get(id, signal, stage);
      heartbeat();
      if (TERMINAL.has(p.status)) return p;
      await delay(pause, undefined, { signal });
      pause = Math.min(this.settings.pollMaxMs, Math.round(pause * 1.5));
    }
  }

  /**
   * Runs one model's prediction under `policy`, exactly once per attempt:
   * - resumes the prediction named by `ctx.resumeToken` when it belongs to `model` (a retried stage attempt
   *   never pays twice), else creates one and stores its token with `ctx.saveResumeToken` *before* polling;
   * - a retried try (poll timeout, 5xx, failed download) resumes the same prediction;
   * - `finish` (download, probe, bill) runs inside the try, so a broken download is retried too;
   * - on cancellation or a final failure the in-flight prediction is cancelled (no paying for unused work),
   *   except when the runner hands the attempt to another worker (shutdown, lease lost), which resumes it.
   * @throws ProviderError `remote_failed` when the prediction ends failed or canceled; errors of the policy
   */
  async run<R>(opts: {
    model: string;
    input: Record<string, unknown>;
    stage: StageName;
    ctx: ProviderContext;
    tally: CallTally;
    policy: StagePolicy;
    finish: (prediction: Prediction, signal: AbortSignal) => Promise<R>;
  }): Promise<{ result: R; predictionId: string; resumed: boolean }> {
    const { model, stage, ctx } = opts;
    const resume = parsePredictionToken(ctx.resumeToken);
    let predictionId: string | null = resume?.model === model ? resume.predictionId : null;
    const resumed = predictionId !== null;
    let terminal = false;
    try {
      const result = await opts.policy.execute(opts.tally, ctx.signal, async (signal) => {
        if (predictionId !== null) {
          const known = await this.get(predictionId, signal, stage).catch((err: unknown) => {
            // A resume token whose prediction vanished (404) or was cancelled is not a result: start again.
            if (err instanceof ProviderError && err.fault === 'model_unavailable') return null;
            throw err;
          });
          if (known === null || known.status === 'canceled') predictionId = null;
        }
        if (predictionId === null) {
          const created = await this.create(model, opts.input, signal, stage);
          predictionId = created.id;
          terminal = false;
          await ctx.saveResumeToken(predictionToken(model, created.id));
        }
        const done = await this.wait(predictionId, signal, stage, ctx.heartbeat);
        terminal = true;
        if (done.status !== 'succeeded') {
          const why = done.error == null ? 'no error given' : typeof done.error === 'string' ? done.error : JSON.stringify(done.error);
          throw new ProviderError('remote_failed', stage, `replicate ${model} prediction ${done.id} ${done.status}: ${why.slice(0, 300)}`, {
            details: { prediction_id: done.id, prediction_status: done.status },
          });
        }
        return opts.finish(done, signal);
      });
      return { result, predictionId: predictionId!, resumed };
    } catch (err) {
      const handedOver = ctx.signal.aborted && HANDED_OVER_REASONS.has(ctx.signal.reason);
      if (predictionId !== null && !terminal && !handedOver) {
        await this.cancel(predictionId, stage).catch(() => undefined);
        if (err instanceof ProviderError) {
          Object.assign(err.details, { prediction_id: predictionId, prediction_cancelled: true });
        }
      }
      throw err;
    }
  }
}
