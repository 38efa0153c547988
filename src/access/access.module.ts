import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AdminController, UsageController } from './access.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { IdempotencyInterceptor, IdempotencyStore } from './idempotency.interceptor';
import { JwtVerifier } from './jwt.verifier';
import { PgThrottlerStorage } from './pg-throttler.storage';
import { RateLimitGuard } from './rate-limit.guard';
import { BudgetService } from './budget.service';

/**
 * Who may do what (docs/security.md): principals (API keys, JWT), the global AuthGuard and RateLimitGuard
 * (in that order, for every route of every controller), idempotent creates, spend and budgets. Global, so
 * any module's controller uses the decorators and injects {@link BudgetService} without importing it.
 */
@Global()
@Module({})
export class AccessModule {
  /** @param withApi mount the admin and usage controllers (the `api` role) */
  static register(withApi: boolean): DynamicModule {
    return {
      module: AccessModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG],
          // One throttler whose limit and window come from the route's rate-limit class (RateLimitGuard);
          // the storage is the batched PostgreSQL counter, shared by every API process.
          useFactory: (config: AppConfig) => ({
            throttlers: [{ name: 'default', limit: 0, ttl: 0 }],
            storage: new PgThrottlerStorage(config),
          }),
        }),
      ],
      controllers: withApi ? [AdminController, UsageController] : [],
      providers: [
        ApiKeysService,
        JwtVerifier,
        BudgetService,
        IdempotencyStore,
        IdempotencyInterceptor,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [ApiKeysService, JwtVerifier, BudgetService, IdempotencyStore, IdempotencyInterceptor],
    };
  }
}
