/**
 * The dashboard's one API client: types of every body it reads or sends, URL building from `routes.ts`, the
 * API key header, the error shape, SSE with a polling fallback, and the small normalisations between the
 * v1 (snake_case) and v2 (camelCase) bodies. Field names live here only, so a renamed field is a one-file fix.
 */
import { API_KEY_HEADER, ROUTES, routePath, type RouteName } from './routes';

// ---------- shapes: v1 ----------

export type V1Status = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type V2Status = 'generating_storyboard' | 'storyboard_complete' | 'generating_video' | 'completed' | 'failed' | 'cancelled' | 'partially_completed';
export type JobStatus = V1Status | V2Status;
export type AspectRatio = '16:9' | '9:16' | '1:1';

export interface JobError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  failed_stage?: string;
}

/** `GET /api/v1/jobs/{job_id}`. Costs USD; times ISO-8601. */
export interface V1Job {
  job_id: string;
  status: JobStatus;
  progress: {
    current_stage: string | null;
    stages_completed: string[];
    stages_remaining: string[];
    percentage: number;
    estimated_completion_time: string | null;
    clips_completed: number;
    clips_total: number;
  };
  cost: Record<string, number> & { total: number };
  result: { video_url: string; thumbnail_url: string; duration: number; resolution: string; file_size_mb: number; scenes_generated: number } | null;
  error: JobError | null;
  created_at: string;
  updated_at: string;
  completed_at?: string;
  failed_at?: string;
  cancelled_at?: string;
}

/** One row of `GET /api/v1/jobs`. */
export interface JobListItem {
  job_id: string;
  status: JobStatus;
  created_at: string;
  updated_at?: string;
  cost_total: number;
  current_stage: string | null;
  percentage: number;
  prompt?: string;
  duration?: number;
  aspect_ratio?: string;
}

export interface JobList {
  jobs: JobListItem[];
  total: number;
  limit: number;
  offset: number;
}

/** `GET /api/v1/jobs/{job_id}/stages` row. */
export interface StageAttempt {
  attempt_id: string;
  stage: string;
  scene_index: number | null;
  status: string;
  provider: string | null;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  processing_time_seconds: number | null;
  deliveries: number;
  provider_calls: number | null;
  cost_usd: number;
  cached: boolean;
  error: { code: string; message: string } | null;
}

export interface CostEstimate {
  currency: 'USD';
  total: number;
  breakdown: Record<string, number>;
}

export interface V1GenerateBody {
  prompt: string;
  duration: number;
  aspect_ratio: AspectRatio;
  brand_guidelines?: { primary_color?: string; secondary_color?: string; style?: string };
}

/** `GET /api/v1/metrics?time_range=` (docs/events.md, "Metrics": the job totals, per-stage figures optional). */
export interface ServiceMetrics {
  total_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  success_rate: number;
  average_cost_usd: number;
  average_duration_seconds: number;
  total_cost_usd: number;
  jobs_per_hour: number;
  stages?: Record<string, { p50?: number; p95?: number; p50_seconds?: number; p95_seconds?: number }>;
}

// ---------- shapes: v2 (docs/api.md, "v2") ----------

export type Platform = 'tiktok' | 'meta' | 'youtube' | 'custom';

export interface V2GenerateBody {
  creativePrompt: string;
  duration: number;
  platform: Platform;
  aspectRatio: AspectRatio;
  videoName?: string;
  stylePresets?: string[];
  brandGuidelines?: { primaryColor?: string; secondaryColor?: string; style?: string };
  exportFormats?: string[];
  numberOfVariations?: number;
  assets?: Array<{ id: string; role?: string }>;
}

export interface EstimatedCost {
  total: number;
  breakdown?: { storyboard?: number; video?: number; exports?: number };
  currency?: string;
}

export interface StoryboardScene {
  sceneNumber: number;
  imageUrl: string;
  description: string;
  onScreenText?: string | null;
  duration: number;
  timestamp?: string | number | null;
  cached?: boolean;
}

export interface V2Job {
  job_id: string;
  status: JobStatus;
  approved: boolean;
  progress: { stage: string | null; percentage: number; currentScene?: number | null; estimatedTimeRemaining?: number | null; cost?: number };
  storyboard: StoryboardScene[];
  estimatedCost?: EstimatedCost | null;
  cost?: Record<string, number> & { total?: number };
  results: { videoUrl?: string; thumbnailUrl?: string; variations?: unknown; exports?: unknown } | null;
  error: JobError | null;
  created_at: string;
  updated_at: string;
  links?: Record<string, string>;
  refineCount?: number;
}

export interface V2Created {
  job_id: string;
  status: JobStatus;
  estimatedCost?: EstimatedCost;
  links?: Record<string, string>;
}

export interface SceneEdit {
  sceneNumber: number;
  visualPrompt?: string;
  onScreenText?: string;
  duration?: number;
}

export interface UploadedAsset {
  id: string;
  url?: string;
  mimeType?: string;
  sizeBytes?: number;
}

/** A downloadable file of a finished job. */
export interface Download {
  label: string;
  url: string;
  filename: string;
}

/** A variation of the ad (v2 `results.variations`). */
export interface Variation {
  label: string;
  videoUrl: string;
  thumbnailUrl?: string;
}

// ---------- transport ----------

const KEY_STORAGE = 'ado.apiKey';

/** The signed-in API key (session storage: gone when the tab closes; never put in a URL). */
export const session = {
  get key(): string | null {
    try {
      return sessionStorage.getItem(KEY_STORAGE);
    } catch {
      return null;
    }
  },
  set(key: string | null): void {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

/** An API answer outside 2xx, in the service's `{error: {code, message, details}}` shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** True when the server has no such route at all (a 404 from the router, not for a missing job). */
  get routeMissing(): boolean {
    return this.status === 404 && /^Cannot (GET|POST|DELETE|PATCH|PUT) /.test(this.message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  const key = session.key;
  if (key) h[API_KEY_HEADER] = key;
  return h;
}

async function request<T>(name: RouteName, opts: { params?: Record<string, string>; query?: Record<string, string | number | undefined>; body?: unknown; form?: FormData; signal?: AbortSignal } = {}): Promise<T> {
  const spec = ROUTES[name];
  let url = routePath(name, opts.params);
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  const init: RequestInit = { method: spec.method.toUpperCase(), headers: headers(), signal: opts.signal };
  if (opts.form) init.body = opts.form;
  else if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The service cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler();
    const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `${res.status} ${res.statusText}`, e?.details ?? {});
  }
  return parsed as T;
}

let unauthorizedHandler: (() => void) | null = null;

// ---------- capabilities ----------

/** What this server offers, from its OpenAPI document (falls back to v1 only when the document is hidden). */
export interface Capabilities {
  v2: boolean;
  upload: boolean;
  events: boolean;
  metrics: boolean;
  stages: boolean;
  estimate: boolean;
  /** Statuses `GET /api/v1/jobs?status=` accepts. */
  listStatuses: string[];
}

let capabilities: Promise<Capabilities> | null = null;

/** Reads `/docs-json` once per page load. */
export function getCapabilities(): Promise<Capabilities> {
  capabilities ??= (async () => {
    const fallback: Capabilities = { v2: false, upload: false, events: true, metrics: true, stages: true, estimate: true, listStatuses: ['queued', 'processing', 'completed', 'failed', 'cancelled'] };
    try {
      const res = await fetch('/docs-json', { headers: headers() });
      if (!res.ok) return fallback;
      const doc = (await res.json()) as { paths?: Record<string, Record<string, { parameters?: Array<{ name: string; schema?: { enum?: string[] } }> }>> };
      const paths = doc.paths ?? {};
      const has = (name: RouteName) => Boolean(paths[ROUTES[name].path]?.[ROUTES[name].method]);
      const statusParam = paths[ROUTES.v1List.path]?.get?.parameters?.find((p) => p.name === 'status');
      return {
        v2: has('v2Generate') && has('v2Get'),
        upload: has('v2Upload'),
        events: has('v1Events'),
        metrics: has('v1Metrics'),
        stages: has('v1Stages'),
        estimate: has('v1Estimate'),
        listStatuses: statusParam?.schema?.enum ?? fallback.listStatuses,
      };
    } catch {
      return fallback;
    }
  })();
  return capabilities;
}

// ---------- calls ----------

export const api = {
  onUnauthorized(fn: () => void): void {
    unauthorizedHandler = fn;
  },
  health: () => request<{ status: string; version: string; uptime_seconds: number; database: string; nats: string; roles?: string[] }>('health'),
  /** Prometheus text of `GET /metrics`. */
  async prometheus(): Promise<string> {
    const res = await fetch(ROUTES.prometheus.path, { headers: headers({ accept: 'text/plain' }) });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, 'metrics unavailable');
    return res.text();
  },
  listJobs: (q: { status?: string; limit?: number; offset?: number; q?: string }, signal?: AbortSignal) => request<JobList>('v1List', { query: q, signal }),
  getJob: (id: string, signal?: AbortSignal) => request<V1Job>('v1Get', { params: { job_id: id }, signal }),
  stages: (id: string) => request<{ job_id: string; request?: { prompt: string; duration: number; aspect_ratio: string }; attempts: StageAttempt[] }>('v1Stages', { params: { job_id: id } }),
  estimate: (duration: number) => request<CostEstimate>('v1Estimate', { query: { duration } }),
  cancel: (id: string) => request<V1Job>('v1Cancel', { params: { job_id: id } }),
  createV1: (body: V1GenerateBody) => request<{ job_id: string; status: JobStatus; created_at: string; estimated_completion_time: string }>('v1Generate', { body }),
  metrics: (timeRange: string) => request<ServiceMetrics>('v1Metrics', { query: { time_range: timeRange } }),
  createV2: (body: V2GenerateBody) => request<V2Created>('v2Generate', { body }),
  getV2: (id: string, signal?: AbortSignal) => request<V2Job>('v2Get', { params: { job_id: id }, signal }),
  approve: (id: string) => request<V2Job>('v2Approve', { params: { job_id: id } }),
  render: (id: string, maxCostUsd?: number) => request<V2Job & { quote?: EstimatedCost }>('v2Render', { params: { job_id: id }, body: maxCostUsd === undefined ? {} : { maxCostUsd } }),
  refine: (id: string, body: { creativePrompt?: string; scenes?: SceneEdit[]; regenerateScenes?: number[] }) => request<V2Job>('v2Refine', { params: { job_id: id }, body }),
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<UploadedAsset & { assetId?: string; asset_id?: string }>('v2Upload', { form }).then((a) => ({ ...a, id: a.id ?? a.assetId ?? a.asset_id ?? '' }));
  },
};

/** URL of a job's video and thumbnail when the body carries none yet (v1 routes serve every job). */
export const mediaUrls = (id: string) => ({ video: routePath('v1Video', { job_id: id }), thumbnail: routePath('v1Thumbnail', { job_id: id }) });

/** Same-origin path of an absolute URL the API returned (its PUBLIC_BASE_URL may differ from the page's origin). */
export function localPath(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname.startsWith('/api/') ? u.pathname + u.search : u.href;
  } catch {
    return url;
  }
}

/** v2 `results.variations`: an array of URLs or of `{videoUrl, thumbnailUrl}` objects. */
export function variationsOf(results: V2Job['results']): Variation[] {
  const raw = results?.variations;
  if (!Array.isArray(raw)) return [];
  return raw
    .map((v, i): Variation | null => {
      if (typeof v === 'string') return { label: `Variation ${i + 1}`, videoUrl: localPath(v) };
      const o = v as { videoUrl?: string; url?: string; thumbnailUrl?: string; name?: string };
      const url = o.videoUrl ?? o.url;
      return url ? { label: o.name ?? `Variation ${i + 1}`, videoUrl: localPath(url), thumbnailUrl: o.thumbnailUrl ? localPath(o.thumbnailUrl) : undefined } : null;
    })
    .filter((v): v is Variation => v !== null);
}

/** v2 `results.exports`: `{format: url}`, or `[{format, url}]`. */
export function exportsOf(results: V2Job['results'], jobId: string): Download[] {
  const raw = results?.exports;
  const list: Array<[string, string]> = [];
  if (Array.isArray(raw)) {
    for (const e of raw as Array<{ format?: string; name?: string; url?: string; videoUrl?: string }>) {
      const url = e.url ?? e.videoUrl;
      if (url) list.push([e.format ?? e.name ?? 'export', url]);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [format, v] of Object.entries(raw as Record<string, unknown>)) {
      const url = typeof v === 'string' ? v : (v as { url?: string })?.url;
      if (url) list.push([format, url]);
    }
  }
  return list.map(([format, url]) => ({ label: format, url: localPath(url), filename: `${jobId}-${format.replace(/[^a-z0-9]+/gi, '-')}${extOf(url)}` }));
}

/** The file extension of a download: from the URL's extension, or its last segment (`/exports/gif`); else `.mp4`. */
function extOf(url: string): string {
  const m = /[./](mp4|webm|mov|gif|jpg|jpeg|png)(?:\?|$)/i.exec(url);
  return m ? `.${m[1].toLowerCase()}` : '.mp4';
}

/** A job event seen on the SSE stream (docs/events.md, "Server-Sent Events"): the envelope's type and data, kept loose on purpose. */
export interface StreamEvent {
  id: string | null;
  type: string;
  data: unknown;
}

/**
 * Follows a job live: the SSE stream (`GET /api/v1/jobs/{id}/events`, read with fetch so the API key travels
 * as a header, resumed with Last-Event-ID) and, whenever the stream is unavailable, polling every `pollMs`.
 * `onChange` runs on each event or poll tick; the caller refetches what it shows.
 * @returns stop function
 */
export function watchJob(id: string, onChange: (e: StreamEvent | null) => void, opts: { pollMs?: number; useStream?: boolean } = {}): () => void {
  const pollMs = opts.pollMs ?? 3000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let controller: AbortController | null = null;
  let lastId: string | null = null;
  let failures = 0;

  const poll = () => {
    if (stopped) return;
    onChange(null);
    timer = setTimeout(poll, pollMs);
  };

  const stream = async () => {
    controller = new AbortController();
    const h = headers({ accept: 'text/event-stream' });
    if (lastId) h['Last-Event-ID'] = lastId;
    try {
      const res = await fetch(routePath('v1Events', { job_id: id }), { headers: h, signal: controller.signal });
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body?.cancel().catch(() => undefined);
        poll();
        return;
      }
      failures = 0;
      onChange(null);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || stopped) break;
        buf += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = parseSseBlock(block);
          if (!ev) continue;
          if (ev.id) lastId = ev.id;
          onChange(ev);
        }
      }
      // The server ends the stream after the job's terminal event; one last refresh shows the final state.
      if (!stopped) onChange(null);
    } catch (err) {
      if (stopped || (err as Error).name === 'AbortError') return;
      failures += 1;
      if (failures > 3) poll();
      else timer = setTimeout(() => void stream(), 1000 * failures);
    }
  };

  if (opts.useStream === false) poll();
  else void stream();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}

/** Parses one SSE block (`id:`, `event:`, `data:` lines); null for comments and heartbeats. */
export function parseSseBlock(block: string): StreamEvent | null {
  let id: string | null = null;
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* plain text data */
  }
  const envelopeType = (parsed as { type?: string } | null)?.type;
  return { id, type: type === 'message' && typeof envelopeType === 'string' ? envelopeType : type, data: parsed };
}

/** Statuses in which a job still changes by itself. */
export const ACTIVE_STATUSES: readonly string[] = ['queued', 'processing', 'generating_storyboard', 'generating_video'];
/** Statuses a job can be cancelled from. */
export const CANCELLABLE_STATUSES: readonly string[] = [...ACTIVE_STATUSES, 'storyboard_complete'];
