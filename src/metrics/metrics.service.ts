import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus instrument of the service, in one place (docs/conventions.md, "One place per
 * decision"). Names follow `<prefix>_<thing>_<unit>[_total]`; labels are low-cardinality (stage, provider,
 * outcome, status), never a job id or user text. Served as text on `GET /metrics`.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  readonly jobsCreated = new Counter({
    name: 'ad_jobs_created_total',
    help: 'Jobs accepted by POST /api/v1/generate-ad.',
    registers: [this.registry],
  });

  readonly budgetAlerts = new Counter({
    name: 'ad_budget_alerts_total',
    help: 'Clients whose daily spend passed the soft or hard budget (once per client and UTC day), by level.',
    labelNames: ['level'] as const,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'ad_jobs_finished_total',
    help: 'Jobs that reached a terminal status, by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'ad_job_duration_seconds',
    help: 'Wall time from job creation to a terminal status, by status.',
    labelNames: ['status'] as const,
    buckets: [10, 30, 60, 90, 120, 180, 300, 600, 1200],
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: 'ad_stage_duration_seconds',
    help: 'Wall time of one stage attempt (one scene for video_generation), by stage, provider and outcome.',
    labelNames: ['stage', 'provider', 'outcome'] as const,
    buckets: [0.05, 0.25, 1, 2.5, 5, 10, 20, 40, 60, 90, 180],
    registers: [this.registry],
  });

  readonly stageCost = new Counter({
    name: 'ad_stage_cost_usd_total',
    help: 'USD spent by stage attempts, by stage and provider.',
    labelNames: ['stage', 'provider'] as const,
    registers: [this.registry],
  });

  readonly stageCacheLookups = new Counter({
    name: 'ad_stage_cache_lookups_total',
    help: 'Stage cache lookups (docs/design/cache.md), by stage and outcome (hit, miss).',
    labelNames: ['stage', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stageCacheSavedUsd = new Counter({
    name: 'ad_stage_cache_saved_usd_total',
    help: 'USD not spent because a stage output was reused from the stage cache, by stage.',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly stageRedeliveries = new Counter({
    name: 'ad_stage_redeliveries_total',
    help: 'Stage requests delivered more than once (worker crash, lease expiry), by stage.',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly providerRetries = new Counter({
    name: 'ad_provider_retries_total',
    help: 'Provider calls retried after a transient error, by stage and provider.',
    labelNames: ['stage', 'provider'] as const,
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'ad_provider_circuit_open',
    help: '1 while the circuit breaker of a provider is open, else 0.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'ad_outbox_published_total',
    help: 'Outbox rows published to JetStream.',
    registers: [this.registry],
  });

  readonly sagaEvents = new Counter({
    name: 'ad_saga_events_total',
    help: 'Events the saga consumed, by type and result (applied, duplicate, stale).',
    labelNames: ['type', 'result'] as const,
    registers: [this.registry],
  });

  /** One saga transaction (inbox, row lock, decide, writes, commit), by inbound type (docs/design/performance.md). */
  readonly sagaTransaction = new Histogram({
    name: 'ad_saga_transaction_seconds',
    help: 'Duration of one saga transaction, from begin to commit.',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ad_http_request_duration_seconds',
    help: 'REST request latency by route and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /**
   * V8 heap in use just after the last full (mark-compact) collection, in bytes: the live set. The heap in
   * use and RSS also count the garbage V8 lets pile up between full collections; at 1 000 jobs in flight
   * that swings the heap in use between about 100 and 370 MB with a flat live set, so leaks and per-job
   * memory are read here (docs/design/performance.md, "Fourth pass": memory at 1 000 jobs in flight).
   */
  readonly heapLive = new Gauge({
    name: 'ad_nodejs_heap_live_bytes',
    help: 'V8 heap in use right after the last major GC (until the first one: the heap in use at start).',
    registers: [this.registry],
  });

  private readonly gcObserver = new PerformanceObserver((list) => {
    // Told shortly after the collection, so the figure includes what was allocated since: an upper bound.
    const major = list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR);
    if (major) this.heapLive.set(process.memoryUsage().heapUsed);
  });

  constructor() {
    this.heapLive.set(process.memoryUsage().heapUsed);
    this.gcObserver.observe({ entryTypes: ['gc'] });
    collectDefaultMetrics({ register: this.registry, prefix: 'ad_' });
    // prom-client names three gauges `*_total`, which `promtool check metrics` rejects (the suffix is for
    // counters); the per-type gauges without the suffix carry the same information.
    for (const name of ['ad_nodejs_active_handles_total', 'ad_nodejs_active_requests_total', 'ad_nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
  }

  onModuleDestroy(): void {
    this.gcObserver.disconnect();
  }

  /** Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
