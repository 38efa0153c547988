import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ArtifactResponder } from './artifact-responder';
import { ArtifactStore } from './artifact-store';
import { ArtifactsController } from './artifacts.controller';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

/**
 * The adapter `ARTIFACT_STORE` names (docs/design/artifacts.md): `local` under `<ARTIFACT_DIR>/store`, or
 * `s3` with the `S3_*` settings. Pure apart from the SDK client it builds (no request is made).
 */
export function createArtifactStore(config: AppConfig): ArtifactStore {
  return config.artifacts.store === 's3' ? new S3ArtifactStore(config.artifacts.s3) : new LocalArtifactStore(config.artifacts.localRoot);
}

/** Closes the s3 adapter's sockets when the app stops. */
class ArtifactStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(ArtifactStore) private readonly store: ArtifactStore) {}
  onApplicationShutdown(): void {
    if (this.store instanceof S3ArtifactStore) this.store.destroy();
  }
}

/**
 * Provides the {@link ArtifactStore} port and the {@link ArtifactResponder} to every module (global: any role
 * may read or write artifacts); with the `api` role also the signed artifact route.
 */
@Global()
@Module({})
export class ArtifactsModule {
  static register(api: boolean): DynamicModule {
    return {
      module: ArtifactsModule,
      controllers: api ? [ArtifactsController] : [],
      providers: [{ provide: ArtifactStore, inject: [APP_CONFIG], useFactory: createArtifactStore }, ArtifactStoreCloser, ArtifactResponder],
      exports: [ArtifactStore, ArtifactResponder],
    };
  }
}
