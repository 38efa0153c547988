import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
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
      controllers: withApi ? [AdminController, UsageController] : [],
      providers: [
        ApiKeysService,
        JwtVerifier,
        BudgetService,
        IdempotencyStore,
        IdempotencyInterceptor,
        PgThrottlerStorage,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [ApiKeysService, JwtVerifier, BudgetService, IdempotencyStore, IdempotencyInterceptor],
    };
  }
}
