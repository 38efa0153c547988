import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { roundUsd } from '../common/money';
import { enqueueOutbox } from '../messaging/outbox.relay';
import { MetricsService } from '../metrics/metrics.service';
import { BudgetExceededError, QueueAdmissionError } from './access.errors';
import { seesAll, type Principal } from './principal';

/** `GET /api/v2/usage`: the caller's spend by UTC day, USD. */
export interface UsageReport {
  client_id: string | null;
  user_id: string | null;
  currency: 'USD';
  total_usd: number;
  days: Array<{ day: string; client_usd: number; user_usd: number | null }>;
  budget: { soft_daily_usd: number; hard_daily_usd: number; today_usd: number };
}

/** `budget.soft_limit_reached` / `budget.hard_limit_reached` event data (subject `<p>.evt.budget.<level>.<client>`). */
export interface BudgetAlertEvent {
  event_id: string;
  type: 'budget.soft_limit_reached' | 'budget.hard_limit_reached';
  schema_version: 1;
  occurred_at: string;
  data: { client_id: string; day: string; spent_usd: number; limit_usd: number };
}

/** Today's date in UTC, `YYYY-MM-DD`. Pure. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Spend per client and per user by UTC day (table `spend_daily`) and the per-client daily budget
 * (docs/security.md, "Budgets"): past the soft limit an alert (a log line, `ad_budget_alerts_total`, a
 * `budget.*` event, once per client and day); past the hard limit {@link assertCanSpend} refuses new work,
 * while running jobs finish and keep being billed.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly orm: MikroORM,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Adds a job's cost increase to its client's and user's totals of today, inside the caller's transaction
   * (the saga's), so the totals move atomically with the job's own cost. No-op for unowned jobs or no increase.
   * @param deltaUsd the job's cost after minus before, USD
   */
  async recordJobSpend(tx: EntityManager, owner: { clientId: string | null; userId: string | null }, deltaUsd: number, at = new Date()): Promise<void> {
    const delta = roundUsd(deltaUsd);
    if (!owner.clientId || !(delta > 0)) return;
    const day = utcDay(at);
    const rows: Array<{ cost_usd: string }> = await tx.execute(
      `insert into spend_daily (scope, owner_id, day, cost_usd) values ('client', ?, ?, ?)
       on conflict (scope, owner_id, day) do update set cost_usd = spend_daily.cost_usd + excluded.cost_usd
       returning cost_usd`,
      [owner.clientId, day, delta],
    );
    if (owner.userId) {
      await tx.execute(
        `insert into spend_daily (scope, owner_id, day, cost_usd) values ('user', ?, ?, ?)
         on conflict (scope, owner_id, day) do update set cost_usd = spend_daily.cost_usd + excluded.cost_usd`,
        [`${owner.clientId}/${owner.userId}`, day, delta],
      );
    }
    const spent = Number(rows[0]?.cost_usd ?? 0);
    const { softDailyUsd, hardDailyUsd } = this.config.access.budget;
    if (softDailyUsd > 0 && spent >= softDailyUsd) await this.alertOnce(tx, owner.clientId, day, 'soft', spent, softDailyUsd, at);
    if (hardDailyUsd > 0 && spent >= hardDailyUsd) await this.alertOnce(tx, owner.clientId, day, 'hard', spent, hardDailyUsd, at);
  }

  /**
   * Refuses new spending work for a client whose spend today reached the hard limit. Admins, auth-off
   * callers and an unset limit (0) always pass. Call it before creating a job or a render.
   * @throws BudgetExceededError (402 BUDGET_EXCEEDED)
   */
  async assertCanSpend(principal: Principal, at = new Date()): Promise<void> {
    const hard = this.config.access.budget.hardDailyUsd;
    if (hard <= 0 || seesAll(principal) || !principal.clientId) return;
    const day = utcDay(at);
    const spent = await this.clientSpend(principal.clientId, day);
    if (spent >= hard) throw new BudgetExceededError({ client_id: principal.clientId, spent_usd: spent, hard_limit_usd: hard, day });
  }

  /**
   * Admission of new jobs: the budget check above, then the client's queued jobs plus the `jobs` asked for
   * against `MAX_QUEUED_JOBS_PER_CLIENT` (docs/security.md, "Rate limits": 20 jobs in flight per client): a batch of N is admitted
   * whole or not at all (docs/security.md, "Budgets"). Admins and auth off pass.
   * @param jobs how many jobs the request makes (1 for a single job; requests × variations for a batch)
   * @throws BudgetExceededError (402); QueueAdmissionError (429 RATE_LIMIT_EXCEEDED)
   */
  async assertCanQueue(principal: Principal, jobs = 1): Promise<void> {
    await this.assertCanSpend(principal);
    const max = this.config.access.maxQueuedJobsPerClient;
    if (max <= 0 || seesAll(principal) || !principal.clientId) return;
    const rows: Array<{ n: string }> = await this.orm.em
      .getConnection()
      .execute(`select count(*) as n from jobs where client_id = ? and status = 'queued'`, [principal.clientId]);
    if (Number(rows[0]?.n ?? 0) + jobs > max) throw new QueueAdmissionError(principal.clientId, max, jobs);
  }

  /** The caller's own totals by day, newest first (an admin or auth off: the `clientId` asked for, if any). */
  async usage(principal: Principal, days: number, clientOverride?: string): Promise<UsageReport> {
    const clientId = seesAll(principal) ? (clientOverride ?? principal.clientId) : principal.clientId;
    const userKey = clientId && principal.userId && principal.clientId === clientId ? `${clientId}/${principal.userId}` : null;
    const since = utcDay(new Date(Date.now() - (days - 1) * 86_400_000));
    const conn = this.orm.em.getConnection();
    const rows: Array<{ scope: string; day: string | Date; cost_usd: string }> = clientId
      ? await conn.execute(
          `select scope, to_char(day, 'YYYY-MM-DD') as day, cost_usd from spend_daily
           where day >= ? and ((scope = 'client' and owner_id = ?) or (scope = 'user' and owner_id = ?)) order by day desc`,
          [since, clientId, userKey ?? ''],
        )
      : [];
    const byDay = new Map<string, { day: string; client_usd: number; user_usd: number | null }>();
    for (const r of rows) {
      const day = String(r.day);
      const entry = byDay.get(day) ?? { day, client_usd: 0, user_usd: userKey ? 0 : null };
      if (r.scope === 'client') entry.client_usd = Number(r.cost_usd);
      else entry.user_usd = Number(r.cost_usd);
      byDay.set(day, entry);
    }
    const list = [...byDay.values()];
    const today = utcDay(new Date());
    return {
      client_id: clientId,
      user_id: userKey ? principal.userId : null,
      currency: 'USD',
      total_usd: roundUsd(list.reduce((s, d) => s + (userKey ? (d.user_usd ?? 0) : d.client_usd), 0)),
      days: list,
      budget: {
        soft_daily_usd: this.config.access.budget.softDailyUsd,
        hard_daily_usd: this.config.access.budget.hardDailyUsd,
        today_usd: list.find((d) => d.day === today)?.client_usd ?? 0,
      },
    };
  }

  private async clientSpend(clientId: string, day: string): Promise<number> {
    const rows: Array<{ cost_usd: string }> = await this.orm.em
      .getConnection()
      .execute(`select cost_usd from spend_daily where scope = 'client' and owner_id = ? and day = ?`, [clientId, day]);
    return Number(rows[0]?.cost_usd ?? 0);
  }

  private async alertOnce(tx: EntityManager, clientId: string, day: string, level: 'soft' | 'hard', spent: number, limit: number, at: Date): Promise<void> {
    const inserted: unknown[] = await tx.execute(
      'insert into budget_alerts (client_id, day, level, spent_usd) values (?, ?, ?, ?) on conflict do nothing returning level',
      [clientId, day, level, spent],
    );
    if (inserted.length === 0) return;
    const eventId = `budget.${clientId}.${day}.${level}`;
    const event: BudgetAlertEvent = {
      event_id: eventId,
      type: level === 'soft' ? 'budget.soft_limit_reached' : 'budget.hard_limit_reached',
      schema_version: 1,
      occurred_at: at.toISOString(),
      data: { client_id: clientId, day, spent_usd: spent, limit_usd: limit },
    };
    enqueueOutbox(tx, eventId, `${this.config.natsPrefix}.evt.budget.${level}.${clientId.replace(/[^A-Za-z0-9_-]/g, '_')}`, event);
    this.metrics.budgetAlerts.inc({ level });
    this.logger.warn({ client_id: clientId, day, spent_usd: spent, limit_usd: limit, budget_level: level }, `client daily spend past the ${level} budget`);
  }
}
