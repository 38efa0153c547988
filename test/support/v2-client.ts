/** Small HTTP helpers the v2 end-to-end tests share (docs/api.md, "v2"). */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** The response body as JSON. */
export async function readJson<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** POST with a JSON body, or with none when `body` is undefined. */
export function postJson(url: string, body?: unknown): Promise<Response> {
  return fetch(url, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * `GET /api/v2/jobs/{id}`. A poll that meets a reset connection (a keep-alive race on a loaded machine) asks
 * again once, as a client would.
 */
export async function getV2Job<T>(baseUrl: string, id: string): Promise<T> {
  const url = `${baseUrl}/api/v2/jobs/${id}`;
  return readJson<T>(await fetch(url).catch(() => fetch(url)));
}

/** One cut of a v2 job's `results.variations` (docs/api.md, "Variations"). */
export interface V2Variation {
  index: number;
  cut: string;
  status: string;
  videoUrl: string | null;
  thumbnailUrl: string | null;
  cost: number;
  error: { code: string; message: string } | null;
}

/** One scene of a v2 job's `storyboard` (docs/api.md, "Storyboard"). */
export interface V2Still {
  sceneNumber: number;
  imageUrl: string;
  description: string;
  onScreenText?: string | null;
  duration: number;
  timestamp: number;
}

/**
 * The body of `GET /api/v2/jobs/{id}` as the end-to-end tests read it (docs/api.md, "v2"): every field the
 * route sends; each test reads the ones its story is about.
 */
export interface V2JobBody {
  job_id: string;
  status: string;
  approved: boolean;
  progress: { stage: string | null; percentage: number; cost: number };
  storyboard: V2Still[];
  estimatedCost: { total: number; breakdown: { storyboard: number; video: number; exports: number }; currency: string };
  cost: Record<string, number> & { total: number };
  results: {
    videoUrl: string;
    thumbnailUrl: string;
    variations: V2Variation[];
    exports: Record<string, string>;
    exportFailures: Array<{ format: string; code: string; message: string }>;
  } | null;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
  refineCount: number;
  quote?: { total: number; currency: string };
  links: Record<string, string>;
}

/**
 * Fetches an artifact URL and saves it under `dir` (a fresh temp dir when omitted), expecting 200 and, when
 * given, this content type. Returns the file and its SHA-256, so a test can compare renders byte for byte.
 */
export async function downloadArtifact(
  url: string,
  name: string,
  opts: { contentType?: string | readonly string[]; dir?: string } = {},
): Promise<{ file: string; sha256: string }> {
  const res = await fetch(url);
  const type = res.headers.get('content-type');
  expect({ url, status: res.status }).toEqual({ url, status: 200 });
  if (typeof opts.contentType === 'string') expect({ url, type }).toEqual({ url, type: opts.contentType });
  else if (opts.contentType) expect(opts.contentType).toContain(type);
  const bytes = Buffer.from(await res.arrayBuffer());
  const file = path.join(opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'artifact-'))), name);
  await writeFile(file, bytes);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex') };
}
