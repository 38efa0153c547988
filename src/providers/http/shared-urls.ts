import type { ProviderContext } from '../ports';

/**
 * A copy of a team-service request body with every `file://` artifact replaced by an http(s) URL the service
 * can GET (`ctx.shareUrl`: a presigned store URL or the app's signed artifact route, docs/design/artifacts.md
 * "Stage artifacts"), so a service on another machine never receives a path it cannot open. Without
 * `ctx.shareUrl` (a provider called outside the stage runner) the body is returned as it is.
 * @throws whatever `ctx.shareUrl` throws (the store cannot be written or signed for)
 */
export async function withSharedUrls(body: Record<string, unknown>, ctx: ProviderContext): Promise<Record<string, unknown>> {
  const share = ctx.shareUrl;
  if (!share) return body;
  const urls = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith('file://')) urls.set(v, v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(collect);
  };
  collect(body);
  for (const uri of urls.keys()) urls.set(uri, await share(uri));
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return urls.get(v) ?? v;
    if (Array.isArray(v)) return v.map(rewrite);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  return rewrite(body) as Record<string, unknown>;
}
