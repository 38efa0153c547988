import { useEffect, useState } from 'preact/hooks';
import { session } from './api';

/**
 * A URL an <img>/<video> can load. Without an API key the API's own URL; with one, the bytes are fetched with
 * the key as a header and shown from a blob: URL, because media elements cannot send headers and the key
 * must never be put in a URL.
 */
export function useMediaUrl(url: string | null | undefined): string | undefined {
  const key = session.key;
  const [blobUrl, setBlobUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!url || !key) return;
    let revoked = false;
    let made: string | undefined;
    void fetch(url, { headers: { 'X-API-Key': key } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (!b || revoked) return;
        made = URL.createObjectURL(b);
        setBlobUrl(made);
      });
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, key]);
  if (!url) return undefined;
  return key ? blobUrl : url;
}

/** Saves `url` as `filename`; with an API key the file is fetched with it as a header first. */
export async function downloadWithKey(url: string, filename: string): Promise<void> {
  const key = session.key;
  const res = await fetch(url, { headers: key ? { 'X-API-Key': key } : {} });
  if (!res.ok) throw new Error(`download failed (${res.status})`);
  const obj = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = obj;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(obj), 10_000);
}
