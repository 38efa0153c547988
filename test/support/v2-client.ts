/** Small HTTP helpers the v2 end-to-end tests share (docs/api.md, "v2"). */

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
