/** One Server-Sent Events frame as a client sees it. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  /** Comment lines (heartbeats) seen before this frame. */
  comments: number;
}

/**
 * Reads `text/event-stream` from a URL with fetch (a real HTTP client, as EventSource would), frame by frame.
 * Heartbeat comment blocks reach `onFrame` as frames without an id (`comments` counts them so far).
 * `onFrame` returning false aborts the connection (a client that goes away mid-stream).
 * @returns the frames read, and whether the server ended the stream itself
 */
export async function readSse(url: string, headers: Record<string, string>, onFrame: (f: SseFrame) => boolean | void): Promise<{ frames: SseFrame[]; endedByServer: boolean; status: number; contentType: string | null }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const frames: SseFrame[] = [];
  if (!res.ok || !res.body) return { frames, endedByServer: true, status: res.status, contentType: res.headers.get('content-type') };
  const decoder = new TextDecoder();
  let buffer = '';
  let comments = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const frame: SseFrame = { comments: 0 };
        let hasField = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments += 1;
          else {
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (m) {
              frame[m[1] as 'id' | 'event' | 'data'] = m[2];
              hasField = true;
            }
          }
        }
        if (!hasField || !frame.id) {
          // A comment-only block (heartbeat): shown to the callback, not kept as a frame.
          if (!hasField && comments > 0 && onFrame({ comments }) === false) {
            ac.abort();
            return { frames, endedByServer: false, status: res.status, contentType: res.headers.get('content-type') };
          }
          continue;
        }
        frame.comments = comments;
        comments = 0;
        frames.push(frame);
        if (onFrame(frame) === false) {
          ac.abort();
          return { frames, endedByServer: false, status: res.status, contentType: res.headers.get('content-type') };
        }
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
    return { frames, endedByServer: false, status: res.status, contentType: res.headers.get('content-type') };
  }
  return { frames, endedByServer: true, status: res.status, contentType: res.headers.get('content-type') };
}
