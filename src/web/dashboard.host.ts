import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** URL prefix of the dashboard (docs/dashboard.md). */
export const DASHBOARD_PREFIX = '/dashboard';

/**
 * Folder holding the built dashboard (`dist/dashboard`, written by `npm run build:dashboard`), found by
 * walking up from this file to the project root (the folder with package.json), so it resolves the same from
 * `src/web` (ts-jest) and `dist/src/web` (nest build). Null when the dashboard was not built.
 */
export function findDashboardDir(from: string = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const built = path.join(dir, 'dist', 'dashboard');
      return existsSync(path.join(built, 'index.html')) ? built : null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Serves the dashboard at `/dashboard`: hashed assets with a year of caching, and `index.html` (never cached)
 * for every other path below the prefix so client-side routes survive a reload. A missing asset is a 404, not
 * the page, so a stale tab sees a failed script instead of HTML parsed as JavaScript. Plain Fastify routes:
 * the page itself is public; the API calls it makes carry the user's key.
 */
export async function mountDashboard(app: NestFastifyApplication, dir: string | null = findDashboardDir()): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  if (!dir) {
    const missing = (_req: FastifyRequest, reply: FastifyReply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run "npm run build" (it writes dist/dashboard).\n');
    fastify.get(DASHBOARD_PREFIX, missing);
    fastify.get(`${DASHBOARD_PREFIX}/*`, missing);
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: `${DASHBOARD_PREFIX}/`,
    // Swagger UI already decorates reply.sendFile; one registration may own it.
    decorateReply: false,
    // Routes per built file (known at startup), so the SPA fallback below owns every other path.
    wildcard: false,
    index: false,
    setHeaders: (res, file) => {
      res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = readFileSync(path.join(dir, 'index.html'));
  const spa = (req: FastifyRequest, reply: FastifyReply) => {
    const pathname = req.url.split('?')[0];
    if (pathname.startsWith(`${DASHBOARD_PREFIX}/assets/`) || /\.[a-z0-9]{1,5}$/i.test(pathname)) {
      return reply.status(404).type('application/json; charset=utf-8').send({ error: { code: 'NOT_FOUND', message: `no such file ${pathname}`, details: {} } });
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  };
  fastify.get(DASHBOARD_PREFIX, spa);
  fastify.get(`${DASHBOARD_PREFIX}/*`, spa);
}
