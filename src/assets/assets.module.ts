import { Module, type DynamicModule } from '@nestjs/common';
import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';

/** Uploaded assets (docs/api.md, "Assets"): the v2 upload and read routes and the service behind them. */
@Module({})
export class AssetsModule {
  /** @param withApi mount the routes (the `api` role) */
  static register(withApi: boolean): DynamicModule {
    return {
      module: AssetsModule,
      controllers: withApi ? [AssetsController] : [],
      providers: [AssetsService],
      exports: [AssetsService],
    };
  }
}

/**
 * Registers `@fastify/multipart` on the app. The file is read by the upload route itself, as a stream, with
 * the route's own limits (src/assets/assets.service.ts); other routes given a multipart body get no body
 * and fail their validation.
 */
export async function registerMultipart(app: NestFastifyApplication): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: false, limits: { files: 1, parts: 12, fields: 10, fieldSize: 4096, headerPairs: 50 } });
}
