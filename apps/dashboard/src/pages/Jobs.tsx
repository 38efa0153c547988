import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ACTIVE_STATUSES, api, CANCELLABLE_STATUSES, getCapabilities, watchJob, type JobList, type JobListItem } from '../api';
import { EmptyState, ErrorState, Icon, Link, Modal, ProgressBar, Skeleton, StatusBadge } from '../components/ui';
import { formatRelative, formatUsd, shortId, stageLabel, STATUS_LABEL } from '../format';
import { href } from '../router';

const PAGE_SIZE = 10;
/** Live streams opened by the table at once: browsers allow six HTTP/1.1 connections per origin. */
const MAX_STREAMS = 3;

export function JobsPage({ toast }: { toast: (m: string, tone?: 'ok' | 'bad') => void }) {
  const [statuses, setStatuses] = useState<string[]>(['queued', 'processing', 'completed', 'failed', 'cancelled']);
  const [status, setStatus] = useState('');
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<JobList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [streams, setStreams] = useState(true);
  const seq = useRef(0);

  useEffect(() => {
    void getCapabilities().then((c) => {
      setStatuses(c.listStatuses);
      setStreams(c.events);
    });
  }, []);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(query.trim()), 300);
    return () => clearTimeout(t);
  }, [query]);
  useEffect(() => setOffset(0), [status, debounced]);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const page = await api.listJobs({ status: status || undefined, q: debounced || undefined, limit: PAGE_SIZE, offset });
      if (mine !== seq.current) return;
      setData(page);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  }, [status, debounced, offset]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = useMemo(() => (data?.jobs ?? []).filter((j) => ACTIVE_STATUSES.includes(j.status)), [data]);
  // The list refreshes while anything on it still moves; streamed rows refresh themselves in between.
  useEffect(() => {
    if (active.length === 0) return;
    const t = setInterval(() => void load(), streams ? 5000 : 3000);
    return () => clearInterval(t);
  }, [active.length > 0, load, streams]);

  const streamedIds = active.slice(0, streams ? MAX_STREAMS : 0).map((j) => j.job_id).join(',');
  useEffect(() => {
    if (!streamedIds) return;
    const stops = streamedIds.split(',').map((id) =>
      watchJob(
        id,
        (ev) => {
          if (!ev) return;
          void api.getJob(id).then((j) =>
            setData((d) =>
              d
                ? { ...d, jobs: d.jobs.map((row) => (row.job_id === id ? { ...row, status: j.status, percentage: j.progress.percentage, current_stage: j.progress.current_stage, cost_total: j.cost.total, updated_at: j.updated_at } : row)) }
                : d,
            ),
          );
        },
        { pollMs: 60_000 },
      ),
    );
    return () => stops.forEach((s) => s());
  }, [streamedIds]);

  const rows = data?.jobs ?? [];
  const selectable = rows.filter((j) => CANCELLABLE_STATUSES.includes(j.status));
  const allOn = selectable.length > 0 && selectable.every((j) => selected.has(j.job_id));
  const toggleAll = () => setSelected(allOn ? new Set() : new Set(selectable.map((j) => j.job_id)));
  const toggleOne = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const cancelSelected = async () => {
    setBusy(true);
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => api.cancel(id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    setBusy(false);
    setConfirm(false);
    setSelected(new Set());
    toast(failed ? `${ids.length - failed} cancelled, ${failed} could not be cancelled` : `${ids.length} job${ids.length === 1 ? '' : 's'} cancelled`, failed ? 'bad' : 'ok');
    void load();
  };

  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  return (
    <div class="page page-jobs">
      <header class="page-head">
        <div>
          <h1>Jobs</h1>
          <p class="lede">Every ad, newest first. Progress updates live.</p>
        </div>
        <Link href={href('/new')} class="btn btn-primary">
          <Icon name="plus" /> New ad
        </Link>
      </header>

      <div class="toolbar" role="search">
        <div class="filters" role="group" aria-label="Filter by status">
          <button type="button" class={`filter ${status === '' ? 'filter-on' : ''}`} aria-pressed={status === ''} onClick={() => setStatus('')}>
            All
          </button>
          {statuses.map((s) => (
            <button type="button" key={s} class={`filter ${status === s ? 'filter-on' : ''}`} aria-pressed={status === s} onClick={() => setStatus(s)}>
              {STATUS_LABEL[s] ?? s}
            </button>
          ))}
        </div>
        <div class="search">
          <label for="job-search" class="sr-only">
            Search prompts
          </label>
          <input id="job-search" type="search" placeholder="Search prompts" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
      </div>

      {selected.size > 0 && (
        <div class="bulkbar" role="region" aria-label="Bulk actions">
          <span>
            {selected.size} selected
          </span>
          <button type="button" class="btn btn-danger btn-sm" onClick={() => setConfirm(true)}>
            Cancel selected
          </button>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => setSelected(new Set())}>
            Clear
          </button>
        </div>
      )}

      <section class="card table-card" aria-label="Jobs">
        {error && !data ? (
          <ErrorState error={error} retry={() => void load()} />
        ) : !data ? (
          <Skeleton rows={5} />
        ) : rows.length === 0 ? (
          <EmptyState title={debounced || status ? 'No jobs match' : 'No ads yet'} action={!debounced && !status ? <Link href={href('/new')} class="btn btn-primary">Create your first ad</Link> : undefined}>
            {debounced || status ? 'Try another filter or search.' : 'Describe an ad and it shows up here while it is made.'}
          </EmptyState>
        ) : (
          <table class="jobs-table">
            <thead>
              <tr>
                <th class="col-check">
                  <input type="checkbox" aria-label="Select all cancellable jobs on this page" checked={allOn} disabled={selectable.length === 0} onChange={toggleAll} />
                </th>
                <th>Ad</th>
                <th>Status</th>
                <th class="col-progress">Progress</th>
                <th class="num">Cost</th>
                <th class="col-created">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((j) => (
                <JobRow key={j.job_id} job={j} checked={selected.has(j.job_id)} onToggle={() => toggleOne(j.job_id)} />
              ))}
            </tbody>
          </table>
        )}
        {data && total > 0 && (
          <nav class="pager" aria-label="Pages">
            <span class="muted" aria-live="polite">
              {from}–{to} of {total}
            </span>
            <div class="pager-buttons">
              <button type="button" class="btn btn-secondary btn-sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                Previous
              </button>
              <button type="button" class="btn btn-secondary btn-sm" disabled={to >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                Next
              </button>
            </div>
          </nav>
        )}
      </section>

      <Modal
        open={confirm}
        title={`Cancel ${selected.size} job${selected.size === 1 ? '' : 's'}?`}
        onClose={() => setConfirm(false)}
        footer={
          <>
            <button type="button" class="btn btn-ghost" onClick={() => setConfirm(false)}>
              Keep running
            </button>
            <button type="button" class="btn btn-danger" disabled={busy} onClick={() => void cancelSelected()}>
              {busy ? 'Cancelling…' : 'Cancel jobs'}
            </button>
          </>
        }
      >
        <p>Work in progress stops now. What was already spent stays on each job.</p>
      </Modal>
    </div>
  );
}

function JobRow({ job, checked, onToggle }: { job: JobListItem; checked: boolean; onToggle: () => void }) {
  const cancellable = CANCELLABLE_STATUSES.includes(job.status);
  const live = ACTIVE_STATUSES.includes(job.status);
  const title = job.prompt ?? `Job ${shortId(job.job_id)}`;
  return (
    <tr class="job-row" data-job-id={job.job_id} data-status={job.status}>
      <td class="col-check">
        <input type="checkbox" aria-label={`Select job ${shortId(job.job_id)}`} checked={checked} disabled={!cancellable} onChange={onToggle} />
      </td>
      <td class="col-ad">
        <Link href={href(`/jobs/${job.job_id}`)} class="row-title" title={title}>
          {title}
        </Link>
        <span class="row-meta">
          <code>{shortId(job.job_id)}</code>
          {job.duration && <span>{job.duration} s</span>}
          {job.aspect_ratio && <span>{job.aspect_ratio}</span>}
        </span>
      </td>
      <td data-label="Status">
        <StatusBadge status={job.status} />
      </td>
      <td class="col-progress" data-label="Progress">
        <div class="progress-cell">
          <ProgressBar value={job.percentage} label={`Progress of job ${shortId(job.job_id)}`} active={live} />
          <span class="progress-text" data-testid="row-percentage">
            {job.percentage} %<span class="muted"> · {stageLabel(job.status === 'completed' ? 'completed' : job.current_stage ?? (job.status === 'queued' ? 'queued' : null))}</span>
          </span>
        </div>
      </td>
      <td class="num" data-label="Cost">
        {formatUsd(job.cost_total)}
      </td>
      <td class="col-created muted" data-label="Created">
        <time dateTime={job.created_at}>{formatRelative(job.created_at)}</time>
      </td>
    </tr>
  );
}
