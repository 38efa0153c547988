/**
 * Every HTTP route the dashboard calls, with the request fields it sends: the one table the API client
 * (`api.ts`) builds URLs from and the contract test (`test/integration/dashboard-contract.test.ts`) checks
 * against the service's OpenAPI document. `since` names the issue that adds a route not yet served by every
 * build; the client hides the feature when such a route answers 404 for the route itself.
 * No DOM types here: the Node test imports this file.
 */
export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template. */
  path: string;
  query?: readonly string[];
  /** Top-level JSON body fields the client may send. */
  body?: readonly string[];
  /** Issue that adds the route; absent for routes every build has. */
  since?: 'issue-10' | 'issue-13' | 'issue-15-upload';
}

export const ROUTES = {
  health: { method: 'get', path: '/health' },
  prometheus: { method: 'get', path: '/metrics' },
  v1Generate: { method: 'post', path: '/api/v1/generate-ad', body: ['prompt', 'duration', 'aspect_ratio', 'brand_guidelines'] },
  v1List: { method: 'get', path: '/api/v1/jobs', query: ['status', 'limit', 'offset', 'q'] },
  v1Get: { method: 'get', path: '/api/v1/jobs/{job_id}' },
  v1Cancel: { method: 'post', path: '/api/v1/jobs/{job_id}/cancel' },
  v1Video: { method: 'get', path: '/api/v1/jobs/{job_id}/video' },
  v1Thumbnail: { method: 'get', path: '/api/v1/jobs/{job_id}/thumbnail' },
  v1Stages: { method: 'get', path: '/api/v1/jobs/{job_id}/stages' },
  v1Estimate: { method: 'get', path: '/api/v1/cost-estimate', query: ['duration'] },
  v1Events: { method: 'get', path: '/api/v1/jobs/{job_id}/events', since: 'issue-13' },
  v1Metrics: { method: 'get', path: '/api/v1/metrics', query: ['time_range'], since: 'issue-13' },
  v2Generate: {
    method: 'post',
    path: '/api/v2/generate',
    body: ['creativePrompt', 'duration', 'platform', 'aspectRatio', 'videoName', 'stylePresets', 'brandGuidelines', 'exportFormats', 'numberOfVariations', 'assets'],
    since: 'issue-10',
  },
  v2Get: { method: 'get', path: '/api/v2/jobs/{job_id}', since: 'issue-10' },
  v2Approve: { method: 'post', path: '/api/v2/jobs/{job_id}/approve', since: 'issue-10' },
  v2Render: { method: 'post', path: '/api/v2/jobs/{job_id}/render', body: ['maxCostUsd'], since: 'issue-10' },
  v2Refine: { method: 'post', path: '/api/v2/jobs/{job_id}/refine', body: ['creativePrompt', 'scenes', 'regenerateScenes'], since: 'issue-10' },
  v2Data: { method: 'get', path: '/api/v2/jobs/{job_id}/data', since: 'issue-10' },
  v2Thumbnail: { method: 'get', path: '/api/v2/jobs/{job_id}/thumbnail', since: 'issue-10' },
  v2Cancel: { method: 'delete', path: '/api/v2/jobs/{job_id}' },
  v2Upload: { method: 'post', path: '/api/v2/upload-asset', since: 'issue-15-upload' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** Fills `{param}` placeholders of a route template (values URI-encoded). */
export function routePath(name: RouteName, params: Record<string, string> = {}): string {
  return ROUTES[name].path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(params[key] ?? ''));
}

/** Header the client sends the API key in (never a query parameter: URLs end up in logs). */
export const API_KEY_HEADER = 'X-API-Key';
