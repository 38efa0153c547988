/**
 * The floor the status route is measured against (`npm run bench:status`): a bare Fastify server, no Nest, no
 * database, no logging, answering `GET /api/v1/jobs/:id` with a fixed body read from `BODY_FILE` (and `304`
 * for `If-None-Match: $ETAG`), on `PORT`. Not part of the service.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const body = readFileSync(process.env.BODY_FILE ?? '', 'utf8');
const etag = process.env.ETAG ?? '';
const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.get('/api/v1/jobs/:id', (req, reply) => {
  if (etag && req.headers['if-none-match'] === etag) {
    void reply.code(304).header('etag', etag).send();
    return;
  }
  void reply.header('content-type', 'application/json; charset=utf-8').header('etag', etag).header('cache-control', 'no-cache').send(body);
});
app.listen({ port: Number(process.env.PORT ?? 19999), host: '127.0.0.1' }).catch((err: unknown) => {
  process.stderr.write(`bare-fastify: ${String(err)}\n`);
  process.exit(1);
});
process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
