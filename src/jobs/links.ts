/**
 * Public links of a v2 job (docs/api.md, "v2"): every URL a v2 body or a v2 job's events carry comes from here,
 * so none points at a v1 route. v1 keeps its own (`resultUrls` in job-saga.handler.ts).
 */
export interface V2JobLinks {
  self: string;
  approve: string;
  render: string;
  refine: string;
  /** `DELETE` on the job itself. */
  cancel: string;
  data: string;
  thumbnail: string;
  /** Aliases of `data` / `thumbnail` under the names the saga's result mapping uses. */
  videoUrl: string;
  thumbnailUrl: string;
  /** A scene's storyboard still (1-based scene number). */
  storyboardImageUrl(sceneNumber: number): string;
  /** An export of a finished job by its key (`gif`, `webm`, `16:9`, `1:1`, `9:16`; docs/api.md, "Exports"). */
  exportUrl(key: string): string;
  /** The MP4 and thumbnail of cut `index` (0-based) of a job with `numberOfVariations` (docs/api.md, "Variations"). */
  variation(index: number): { videoUrl: string; thumbnailUrl: string };
}

/**
 * Links of a v2 job.
 * @param baseUrl public base URL (PUBLIC_BASE_URL), without a trailing slash
 */
export function v2Links(baseUrl: string, jobId: string): V2JobLinks {
  const self = `${baseUrl}/api/v2/jobs/${jobId}`;
  return {
    self,
    approve: `${self}/approve`,
    render: `${self}/render`,
    refine: `${self}/refine`,
    cancel: self,
    data: `${self}/data`,
    thumbnail: `${self}/thumbnail`,
    videoUrl: `${self}/data`,
    thumbnailUrl: `${self}/thumbnail`,
    storyboardImageUrl: (sceneNumber) => `${self}/storyboard/${sceneNumber}`,
    // A colon is a legal path character (RFC 3986 pchar), so `16:9` stays readable in the link.
    exportUrl: (key) => `${self}/exports/${key}`,
    variation: (index) => ({ videoUrl: `${self}/variations/${index}/data`, thumbnailUrl: `${self}/variations/${index}/thumbnail` }),
  };
}
