import { useEffect, useState } from 'preact/hooks';
import { ACTIVE_STATUSES, api, ApiError, getCapabilities, type JobListItem, type ServiceMetrics } from '../api';
import { BarChart, HBarChart, LineChart } from '../components/charts';
import { Card, EmptyState, ErrorState, Link, Skeleton, StatusBadge } from '../components/ui';
import { formatPercent, formatRelative, formatSeconds, formatUsd, shortId, stageLabel } from '../format';
import { href } from '../router';

const RANGES = [
  { id: '1h', label: '1 hour', ms: 3_600_000, bucket: 'minute' as const },
  { id: '24h', label: '24 hours', ms: 86_400_000, bucket: 'hour' as const },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000, bucket: 'day' as const },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000, bucket: 'day' as const },
];
/** A generating job without progress for this long is shown as stalled (docs/dashboard.md, "Operations"). */
const STALL_MS = 15 * 60_000;
/** Jobs read to draw the charts when the server has no metrics endpoint. */
const SAMPLE_PAGES = 5;

interface Prom {
  circuits: Array<{ provider: string; open: boolean }>;
  p95: Array<{ stage: string; seconds: number }>;
}

export function OperationsPage() {
  const [range, setRange] = useState('24h');
  const [jobs, setJobs] = useState<JobListItem[] | null>(null);
  const [metrics, setMetrics] = useState<ServiceMetrics | null | 'absent'>(null);
  const [prom, setProm] = useState<Prom | null>(null);
  const [health, setHealth] = useState<{ status: string; database: string; nats: string; version: string; uptime_seconds: number } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stop = false;
    const load = async () => {
      const caps = await getCapabilities();
      const r = RANGES.find((x) => x.id === range)!;
      try {
        const sample: JobListItem[] = [];
        for (let p = 0; p < SAMPLE_PAGES; p++) {
          const page = await api.listJobs({ limit: 100, offset: p * 100 });
          sample.push(...page.jobs);
          if (page.jobs.length < 100 || new Date(page.jobs[page.jobs.length - 1].created_at).getTime() < Date.now() - r.ms) break;
        }
        if (!stop) setJobs(sample);
        setError(null);
      } catch (err) {
        if (!stop) setError(err);
      }
      if (caps.metrics) {
        api.metrics(range).then(
          (m) => !stop && setMetrics(m),
          (err: unknown) => !stop && setMetrics(err instanceof ApiError && err.status === 404 ? 'absent' : 'absent'),
        );
      } else setMetrics('absent');
      api.prometheus().then(
        (text) => !stop && setProm(parsePrometheus(text)),
        () => !stop && setProm({ circuits: [], p95: [] }),
      );
      api.health().then(
        (h) => !stop && setHealth(h),
        () => !stop && setHealth(null),
      );
    };
    void load();
    const t = setInterval(() => void load(), 15_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [range]);

  const r = RANGES.find((x) => x.id === range)!;
  const inRange = (jobs ?? []).filter((j) => new Date(j.created_at).getTime() >= Date.now() - r.ms);
  const local = summarize(inRange, r.ms);
  const m = metrics && metrics !== 'absent' ? metrics : null;
  const stalled = (jobs ?? []).filter((j) => ACTIVE_STATUSES.includes(j.status) && j.status !== 'queued' && j.updated_at && Date.now() - new Date(j.updated_at).getTime() > STALL_MS);
  const series = bucketize(inRange, r.ms, r.bucket);
  const stageP95 = m?.stages
    ? Object.entries(m.stages).map(([stage, v]) => ({ stage, seconds: v.p95_seconds ?? v.p95 ?? 0 }))
    : (prom?.p95 ?? []);

  return (
    <div class="page page-ops">
      <header class="page-head">
        <div>
          <h1>Operations</h1>
          <p class="lede">Throughput, success, spend and the health of every provider.</p>
        </div>
        <div class="filters" role="group" aria-label="Time range">
          {RANGES.map((x) => (
            <button type="button" key={x.id} class={`filter ${range === x.id ? 'filter-on' : ''}`} aria-pressed={range === x.id} onClick={() => setRange(x.id)}>
              {x.label}
            </button>
          ))}
        </div>
      </header>

      {error && !jobs ? (
        <ErrorState error={error} />
      ) : !jobs ? (
        <Skeleton rows={4} />
      ) : (
        <>
          <div class="kpis" data-testid="kpis">
            <Kpi label="Jobs" value={String(m?.total_jobs ?? local.total)} sub={`${(m?.jobs_per_hour ?? local.perHour).toFixed(1)} per hour`} />
            <Kpi label="Success rate" value={formatPercent(m ? normRate(m.success_rate) : local.successRate, 1)} sub={`${m?.failed_jobs ?? local.failed} failed`} />
            <Kpi label="Spend" value={formatUsd(m?.total_cost_usd ?? local.cost)} sub={`${formatUsd(m?.average_cost_usd ?? local.avgCost)} per job`} />
            <Kpi label="Average time" value={formatSeconds(m?.average_duration_seconds ?? local.avgSeconds)} sub="from request to video" />
          </div>
          {!m && (
            <p class="help fine" data-testid="metrics-source">
              Figures computed from the latest {jobs.length} jobs{metrics === 'absent' ? ' (this server has no metrics endpoint yet)' : ''}.
            </p>
          )}

          <div class="chart-grid">
            <Card title={`Jobs per ${r.bucket}`} id="chart-jobs">
              <BarChart data={series.map((b) => ({ label: b.label, value: b.count }))} format={(v) => String(Math.round(v))} label={`Jobs per ${r.bucket}`} />
            </Card>
            <Card title="Success rate" id="chart-success">
              <LineChart data={series.map((b) => ({ label: b.label, value: b.finished ? b.ok / b.finished : null }))} format={(v) => formatPercent(v)} label="Success rate" />
            </Card>
            <Card title={`Cost per ${r.bucket === 'minute' ? 'minute' : r.bucket === 'hour' ? 'hour' : 'day'}`} id="chart-cost">
              <BarChart data={series.map((b) => ({ label: b.label, value: b.cost }))} format={formatUsd} label="Cost" tone="accent2" />
            </Card>
            <Card title="Stage duration, p95" id="chart-p95">
              {stageP95.length === 0 ? <p class="muted">No stage has run since the service started.</p> : <HBarChart data={stageP95.map((s) => ({ label: stageLabel(s.stage), value: s.seconds }))} format={formatSeconds} label="Stage p95 duration" />}
            </Card>
          </div>

          <div class="job-columns">
            <Card title="Providers" id="providers">
              {health && (
                <ul class="health-list">
                  <li>
                    <span class={`dot dot-${health.database === 'connected' ? 'ok' : 'bad'}`} aria-hidden="true" /> Database <span class="muted">{health.database}</span>
                  </li>
                  <li>
                    <span class={`dot dot-${health.nats === 'connected' ? 'ok' : 'bad'}`} aria-hidden="true" /> NATS <span class="muted">{health.nats}</span>
                  </li>
                  <li class="muted">
                    Version {health.version} · up {formatSeconds(health.uptime_seconds)}
                  </li>
                </ul>
              )}
              {!prom ? (
                <Skeleton rows={2} />
              ) : prom.circuits.length === 0 ? (
                <p class="muted" data-testid="circuits">No provider calls yet: every circuit is closed.</p>
              ) : (
                <ul class="circuits" data-testid="circuits">
                  {prom.circuits.map((c) => (
                    <li key={c.provider}>
                      <span class={`dot dot-${c.open ? 'bad' : 'ok'}`} aria-hidden="true" />
                      <strong>{c.provider}</strong>
                      <span class={`badge badge-${c.open ? 'bad' : 'ok'}`}>{c.open ? 'circuit open' : 'closed'}</span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <Card title="Stalled jobs" id="stalled">
              {stalled.length === 0 ? (
                <EmptyState title="Nothing stuck">No generating job has gone 15 minutes without progress.</EmptyState>
              ) : (
                <ul class="stalled">
                  {stalled.map((j) => (
                    <li key={j.job_id}>
                      <Link href={href(`/jobs/${j.job_id}`)}>{j.prompt?.slice(0, 60) ?? shortId(j.job_id)}</Link>
                      <StatusBadge status={j.status} />
                      <span class="muted">
                        {stageLabel(j.current_stage)} · last change {formatRelative(j.updated_at)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        </>
      )}
    </div>
  );
}

function Kpi({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div class="kpi card">
      <span class="kpi-label">{label}</span>
      <span class="kpi-value">{value}</span>
      <span class="kpi-sub">{sub}</span>
    </div>
  );
}

/** success_rate may be a ratio (0.95) or a percentage (95). */
function normRate(v: number): number {
  return v > 1 ? v / 100 : v;
}

function summarize(jobs: JobListItem[], ms: number) {
  const ok = jobs.filter((j) => j.status === 'completed').length;
  const failed = jobs.filter((j) => j.status === 'failed').length;
  const cost = jobs.reduce((s, j) => s + (j.cost_total ?? 0), 0);
  const done = jobs.filter((j) => j.status === 'completed' && j.updated_at);
  const avgSeconds = done.length ? done.reduce((s, j) => s + (new Date(j.updated_at!).getTime() - new Date(j.created_at).getTime()) / 1000, 0) / done.length : null;
  return { total: jobs.length, ok, failed, cost, avgCost: jobs.length ? cost / jobs.length : 0, successRate: ok + failed ? ok / (ok + failed) : null, perHour: jobs.length / (ms / 3_600_000), avgSeconds };
}

function bucketize(jobs: JobListItem[], ms: number, unit: 'minute' | 'hour' | 'day') {
  const step = unit === 'minute' ? 5 * 60_000 : unit === 'hour' ? 3_600_000 : 86_400_000;
  const end = Math.ceil(Date.now() / step) * step;
  const n = Math.round(ms / step);
  const buckets = Array.from({ length: n }, (_, i) => {
    const t = end - (n - i) * step;
    const d = new Date(t);
    const label = unit === 'day' ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    return { t, label, count: 0, ok: 0, finished: 0, cost: 0 };
  });
  for (const j of jobs) {
    const i = Math.floor((new Date(j.created_at).getTime() - (end - n * step)) / step);
    const b = buckets[i];
    if (!b) continue;
    b.count += 1;
    b.cost += j.cost_total ?? 0;
    if (j.status === 'completed') b.ok += 1;
    if (j.status === 'completed' || j.status === 'failed') b.finished += 1;
  }
  return buckets;
}

/**
 * Circuit states (`ad_provider_circuit_open`) and per-stage p95 (from the `ad_stage_duration_seconds`
 * histogram's cumulative buckets, linearly interpolated) out of the Prometheus text of `GET /metrics`.
 */
export function parsePrometheus(text: string): Prom {
  const circuits = new Map<string, boolean>();
  const buckets = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, name, rawLabels = '', value] = m;
    const labels = Object.fromEntries([...rawLabels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (name === 'ad_provider_circuit_open') {
      const key = labels.provider ?? labels.name ?? 'provider';
      circuits.set(key, (circuits.get(key) ?? false) || Number(value) > 0);
    } else if (name === 'ad_stage_duration_seconds_bucket' && labels.outcome !== 'cancelled') {
      const stage = labels.stage ?? 'stage';
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      const per = buckets.get(stage) ?? new Map<number, number>();
      per.set(le, (per.get(le) ?? 0) + Number(value));
      buckets.set(stage, per);
    }
  }
  const p95: Prom['p95'] = [];
  for (const [stage, per] of buckets) {
    const sorted = [...per.entries()].sort((a, b) => a[0] - b[0]);
    const total = sorted[sorted.length - 1]?.[1] ?? 0;
    if (total === 0) continue;
    const target = 0.95 * total;
    let prevLe = 0;
    let prevCount = 0;
    for (const [le, count] of sorted) {
      if (count >= target) {
        const upper = Number.isFinite(le) ? le : prevLe;
        const frac = count === prevCount ? 1 : (target - prevCount) / (count - prevCount);
        p95.push({ stage, seconds: prevLe + (upper - prevLe) * frac });
        break;
      }
      prevLe = le;
      prevCount = count;
    }
  }
  const order = ['prompt_parsing', 'image_generation', 'storyboard', 'video_generation', 'composition'];
  p95.sort((a, b) => (order.indexOf(a.stage) + 99) % 99 - ((order.indexOf(b.stage) + 99) % 99));
  return { circuits: [...circuits.entries()].map(([provider, open]) => ({ provider, open })), p95 };
}
