import * as http from 'node:http';

/** One request the receiver got. */
export interface ReceivedHook {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 (a real HTTP server): records every request and answers with what
 * `respond` says (status, or a promise that holds the request open).
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private server?: http.Server;
  respond: (hook: ReceivedHook, index: number) => number | Promise<number> = () => 200;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const hook: ReceivedHook = { headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(hook);
        void Promise.resolve(this.respond(hook, this.received.length - 1)).then((status) => {
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
        });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Requests whose body has `data.job_id === jobId`. */
  forJob(jobId: string): ReceivedHook[] {
    return this.received.filter((h) => (JSON.parse(h.body) as { data: { job_id?: string } }).data.job_id === jobId);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
