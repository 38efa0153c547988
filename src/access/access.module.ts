import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AdminController, UsageController } from './access.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { IdempotencyInterceptor, IdempotencyStore } from './idempotency.interceptor';
import { JwtVerifier } from './jwt.verifier';
import { PgThrottlerStorage } from './pg-throttler.storage';
import { RateLimitGuard, rateLimitClassOf } from './rate-limit.guard';
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
          inject: [APP_CONFIG, MikroORM],
          useFactory: (config: AppConfig, orm: MikroORM) => {
            const reflector = new Reflector();
            const rule = (ctx: Parameters<typeof rateLimitClassOf>[1]) => config.access.rateLimits.rules[rateLimitClassOf(reflector, ctx)];
            return {
              throttlers: [{ name: 'default', limit: (ctx) => rule(ctx).limit, ttl: (ctx) => rule(ctx).windowSeconds * 1000 }],
              storage: new PgThrottlerStorage(orm),
            };
          },
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
