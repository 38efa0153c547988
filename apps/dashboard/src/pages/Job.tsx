import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  ACTIVE_STATUSES,
  api,
  ApiError,
  CANCELLABLE_STATUSES,
  exportsOf,
  getCapabilities,
  localPath,
  mediaUrls,
  session,
  variationsOf,
  watchJob,
  type Capabilities,
  type Download,
  type EstimatedCost,
  type StageAttempt,
  type StoryboardScene,
  type V1Job,
  type V2Job,
} from '../api';
import { Card, ErrorState, Icon, Link, Modal, ProgressBar, Spinner, StatusBadge } from '../components/ui';
import { formatDateTime, formatMb, formatRelative, formatSeconds, formatUsd, shortId, stageLabel } from '../format';
import { downloadWithKey, useMediaUrl } from '../media';
import { href } from '../router';

type Toast = (m: string, tone?: 'ok' | 'bad') => void;

const EDITABLE = ['storyboard_complete', 'failed'];

export function JobPage({ id, toast }: { id: string; toast: Toast }) {
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [v1, setV1] = useState<V1Job | null>(null);
  const [v2, setV2] = useState<V2Job | null>(null);
  const [request, setRequest] = useState<{ prompt: string; duration: number; aspect_ratio: string } | null>(null);
  const [attempts, setAttempts] = useState<StageAttempt[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<'stream' | 'poll' | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const inflight = useRef(false);
  const again = useRef(false);

  useEffect(() => {
    void getCapabilities().then(setCaps);
  }, []);

  const refresh = useCallback(async () => {
    if (!caps) return;
    // One refresh at a time; a burst of events collapses into one more.
    if (inflight.current) {
      again.current = true;
      return;
    }
    inflight.current = true;
    try {
      const [a, b, c] = await Promise.allSettled([
        api.getJob(id),
        caps.v2 ? api.getV2(id) : Promise.reject(new Error('no v2')),
        caps.stages ? api.stages(id) : Promise.reject(new Error('no stages')),
      ]);
      if (a.status === 'fulfilled') {
        setV1(a.value);
        setError(null);
      } else setError(a.reason);
      if (b.status === 'fulfilled') setV2(b.value);
      if (c.status === 'fulfilled') {
        setAttempts(c.value.attempts);
        if (c.value.request) setRequest(c.value.request);
      }
    } finally {
      inflight.current = false;
      if (again.current) {
        again.current = false;
        void refresh();
      }
    }
  }, [id, caps]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const status = v2?.status ?? v1?.status ?? null;
  const moving = status !== null && ACTIVE_STATUSES.includes(status);
  // A storyboard waiting for review can be approved, refined or rendered from another tab, the CLI or an
  // automation: keep following it (polling slowly when there is no stream) so this page never shows a stale gate.
  const waiting = status === 'storyboard_complete';
  useEffect(() => {
    if (!caps || (!moving && !waiting)) {
      setLive(null);
      return;
    }
    setLive(caps.events ? 'stream' : 'poll');
    return watchJob(id, () => void refresh(), { useStream: caps.events, pollMs: moving ? 2000 : 10_000 });
  }, [caps, moving, waiting, id, refresh]);

  if (error && !v1) {
    return (
      <div class="page">
        <BackLink />
        <ErrorState error={error} retry={() => void refresh()} />
      </div>
    );
  }
  if (!v1 || !caps) return <div class="page"><BackLink /><Spinner label="Loading the job" /></div>;

  const title = request?.prompt ?? `Job ${shortId(id)}`;
  const cancellable = status !== null && CANCELLABLE_STATUSES.includes(status);
  const percentage = v2?.progress.percentage ?? v1.progress.percentage;
  const stage = v2?.progress.stage ?? (v1.status === 'queued' ? 'queued' : v1.progress.current_stage);

  const cancel = async () => {
    setConfirmCancel(false);
    try {
      await api.cancel(id);
      toast('Job cancelled');
    } catch (err) {
      toast((err as Error).message, 'bad');
    }
    void refresh();
  };

  return (
    <div class="page page-job" data-job-id={id} data-status={status}>
      <BackLink />
      <header class="page-head job-head">
        <div class="job-title">
          <div class="job-badges">
            <StatusBadge status={status ?? v1.status} />
            {live && (
              <span class="live" data-testid="live-indicator">
                <span class="live-dot" aria-hidden="true" />
                {live === 'stream' ? 'Live' : 'Auto-refresh'}
              </span>
            )}
          </div>
          <h1 class="job-prompt">{title}</h1>
          <p class="row-meta">
            <code title={id}>{shortId(id)}</code>
            {request && <span>{request.duration} s</span>}
            {request && <span>{request.aspect_ratio}</span>}
            <span>Created {formatRelative(v1.created_at)}</span>
          </p>
        </div>
        {cancellable && (
          <button type="button" class="btn btn-secondary" onClick={() => setConfirmCancel(true)}>
            <Icon name="x" /> Cancel job
          </button>
        )}
      </header>

      {moving && (
        <Card class="progress-card" id="progress">
          <div class="progress-big">
            <span class="progress-number" data-testid="job-percentage">
              {percentage}
              <small>%</small>
            </span>
            <div class="progress-info">
              <strong data-testid="job-stage">{stageLabel(stage)}</strong>
              <span class="muted">
                {v1.progress.clips_total > 0 && `Clip ${v1.progress.clips_completed} of ${v1.progress.clips_total} · `}
                {v2?.progress.estimatedTimeRemaining != null
                  ? `about ${formatSeconds(v2.progress.estimatedTimeRemaining)} left`
                  : v1.progress.estimated_completion_time
                    ? `ready around ${new Date(v1.progress.estimated_completion_time).toLocaleTimeString()}`
                    : ''}
              </span>
            </div>
            <span class="progress-cost">{formatUsd(v2?.progress.cost ?? v1.cost.total)} spent</span>
          </div>
          <ProgressBar value={percentage} label="Job progress" active />
        </Card>
      )}

      {v1.error && status === 'failed' && (
        <Card class="error-card" id="failure" title="What went wrong">
          <p class="error-message">{v1.error.message}</p>
          <dl class="kv">
            <div>
              <dt>Code</dt>
              <dd>
                <code class="code-chip">{v1.error.code}</code>
              </dd>
            </div>
            {v1.error.failed_stage && (
              <div>
                <dt>Failed stage</dt>
                <dd>{stageLabel(v1.error.failed_stage)}</dd>
              </div>
            )}
            <div>
              <dt>Spent</dt>
              <dd>{formatUsd(v1.cost.total)}</dd>
            </div>
          </dl>
        </Card>
      )}

      {v2 && v2.storyboard.length > 0 && <Storyboard job={v2} toast={toast} onChange={() => void refresh()} />}

      {(status === 'completed' || status === 'partially_completed') && <Result id={id} v1={v1} v2={v2} />}

      <div class="job-columns">
        <Timeline attempts={attempts} jobStart={v1.created_at} running={moving} />
        <CostCard v1={v1} v2={v2} />
      </div>

      <Modal
        open={confirmCancel}
        title="Cancel this job?"
        onClose={() => setConfirmCancel(false)}
        footer={
          <>
            <button type="button" class="btn btn-ghost" onClick={() => setConfirmCancel(false)}>
              Keep it
            </button>
            <button type="button" class="btn btn-danger" onClick={() => void cancel()}>
              Cancel job
            </button>
          </>
        }
      >
        <p>Work stops now; the {formatUsd(v1.cost.total)} already spent stays on the job.</p>
      </Modal>
    </div>
  );
}

function BackLink() {
  return (
    <Link href={href('/')} class="back">
      ← All jobs
    </Link>
  );
}

// ---------- storyboard ----------

function Storyboard({ job, toast, onChange }: { job: V2Job; toast: Toast; onChange: () => void }) {
  const [editing, setEditing] = useState<StoryboardScene | null>(null);
  const [quoteOpen, setQuoteOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const editable = EDITABLE.includes(job.status);
  const reviewing = job.status === 'storyboard_complete';
  const quote: EstimatedCost | null | undefined = job.estimatedCost;

  const act = async (label: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(label);
    try {
      await fn();
      toast(done);
      onChange();
    } catch (err) {
      const e = err as ApiError;
      toast(e.status === 409 && e.details?.quote ? `${e.message} (quote ${formatUsd((e.details.quote as EstimatedCost).total)})` : e.message, 'bad');
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      id="storyboard"
      title={
        <>
          Storyboard <span class="count-chip">{job.storyboard.length} scenes</span>
          {job.approved && <span class="badge badge-ok approved-chip">Approved</span>}
        </>
      }
      actions={
        reviewing && (
          <>
            {!job.approved && (
              <button type="button" class="btn btn-secondary" disabled={busy !== null} onClick={() => void act('approve', () => api.approve(job.job_id), 'Storyboard approved')}>
                <Icon name="check" /> Approve
              </button>
            )}
            <button type="button" class="btn btn-primary" disabled={busy !== null} onClick={() => setQuoteOpen(true)}>
              <Icon name="play" /> Render video
            </button>
          </>
        )
      }
    >
      {reviewing && quote && (
        <p class="help">
          Rendering is quoted at <strong>{formatUsd(quote.total)}</strong>. Edit any scene first; only changed scenes are drawn again.
        </p>
      )}
      <ol class="scene-grid" data-testid="storyboard">
        {job.storyboard.map((s) => (
          <SceneCard
            key={s.sceneNumber}
            scene={s}
            editable={editable}
            busy={busy === `regen-${s.sceneNumber}`}
            onEdit={() => setEditing(s)}
            onRegenerate={() => void act(`regen-${s.sceneNumber}`, () => api.refine(job.job_id, { regenerateScenes: [s.sceneNumber] }), `Scene ${s.sceneNumber} is being redrawn`)}
          />
        ))}
      </ol>
      {editing && (
        <SceneEditor
          scene={editing}
          onClose={() => setEditing(null)}
          onSave={(edit) => {
            setEditing(null);
            void act(`edit-${editing.sceneNumber}`, () => api.refine(job.job_id, { scenes: [{ sceneNumber: editing.sceneNumber, ...edit }] }), `Scene ${editing.sceneNumber} updated`);
          }}
        />
      )}
      <Modal
        open={quoteOpen}
        title="Render the video?"
        onClose={() => setQuoteOpen(false)}
        footer={
          <>
            <button type="button" class="btn btn-ghost" onClick={() => setQuoteOpen(false)}>
              Not yet
            </button>
            <button
              type="button"
              class="btn btn-primary"
              data-testid="confirm-render"
              onClick={() => {
                setQuoteOpen(false);
                void act('render', () => api.render(job.job_id, quote?.total), 'Rendering started');
              }}
            >
              Render for {formatUsd(quote?.total ?? 0)}
            </button>
          </>
        }
      >
        <p>The storyboard is {job.approved ? 'approved' : 'approved as it is'} and the clips are generated. You are charged at most the quote:</p>
        {quote && (
          <dl class="quote">
            {Object.entries(quote.breakdown ?? {}).map(([k, v]) => (
              <div class="quote-row" key={k}>
                <dt>{k}</dt>
                <dd>{formatUsd(v)}</dd>
              </div>
            ))}
            <div class="quote-row quote-total">
              <dt>Total</dt>
              <dd>{formatUsd(quote.total)}</dd>
            </div>
          </dl>
        )}
      </Modal>
    </Card>
  );
}

function SceneCard({ scene, editable, busy, onEdit, onRegenerate }: { scene: StoryboardScene; editable: boolean; busy: boolean; onEdit: () => void; onRegenerate: () => void }) {
  const src = useMediaUrl(scene.imageUrl ? localPath(scene.imageUrl) : null);
  return (
    <li class="scene" data-scene={scene.sceneNumber}>
      <figure class="scene-still">
        {src ? <img src={src} alt={`Scene ${scene.sceneNumber}: ${scene.description}`} loading="lazy" /> : <div class="still-placeholder" aria-hidden="true" />}
        <span class="scene-number">{scene.sceneNumber}</span>
        <span class="scene-duration">{formatSeconds(scene.duration)}</span>
      </figure>
      <div class="scene-body">
        <p class="scene-desc">{scene.description}</p>
        {scene.onScreenText && <p class="scene-text" data-testid="scene-text">“{scene.onScreenText}”</p>}
        {scene.cached && <span class="badge badge-muted">cached</span>}
      </div>
      {editable && (
        <div class="scene-actions">
          <button type="button" class="btn btn-ghost btn-sm" onClick={onEdit} aria-label={`Edit scene ${scene.sceneNumber}`}>
            <Icon name="edit" /> Edit
          </button>
          <button type="button" class="btn btn-ghost btn-sm" onClick={onRegenerate} disabled={busy} aria-label={`Regenerate scene ${scene.sceneNumber}`}>
            <Icon name="refresh" /> {busy ? 'Redrawing…' : 'Regenerate'}
          </button>
        </div>
      )}
    </li>
  );
}

function SceneEditor({ scene, onClose, onSave }: { scene: StoryboardScene; onClose: () => void; onSave: (e: { onScreenText?: string; visualPrompt?: string }) => void }) {
  const [text, setText] = useState(scene.onScreenText ?? '');
  const [visual, setVisual] = useState('');
  return (
    <Modal
      open
      title={`Edit scene ${scene.sceneNumber}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Discard
          </button>
          <button
            type="button"
            class="btn btn-primary"
            data-testid="save-scene"
            onClick={() => onSave({ ...(text !== (scene.onScreenText ?? '') ? { onScreenText: text } : {}), ...(visual.trim() ? { visualPrompt: visual.trim() } : {}) })}
          >
            Save and redraw
          </button>
        </>
      }
    >
      <div class="field">
        <label for="scene-text">On-screen text</label>
        <input id="scene-text" type="text" maxLength={80} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="scene-visual">Visual prompt <span class="optional">optional</span></label>
        <textarea id="scene-visual" rows={3} maxLength={500} value={visual} placeholder={scene.description} onInput={(e) => setVisual(e.currentTarget.value)} />
        <p class="help">Describe what the picture should show. Leave empty to keep it.</p>
      </div>
    </Modal>
  );
}

// ---------- result ----------

function Result({ id, v1, v2 }: { id: string; v1: V1Job; v2: V2Job | null }) {
  const urls = mediaUrls(id);
  const videoPath = v2?.results?.videoUrl ? localPath(v2.results.videoUrl) : v1.result ? localPath(v1.result.video_url) : urls.video;
  const thumbPath = v2?.results?.thumbnailUrl ? localPath(v2.results.thumbnailUrl) : v1.result ? localPath(v1.result.thumbnail_url) : urls.thumbnail;
  const video = useMediaUrl(videoPath);
  const poster = useMediaUrl(thumbPath);
  const variations = variationsOf(v2?.results ?? null);
  const downloads: Download[] = [
    { label: 'Video (MP4)', url: videoPath, filename: `ad-${shortId(id)}.mp4` },
    { label: 'Thumbnail (JPEG)', url: thumbPath, filename: `ad-${shortId(id)}.jpg` },
    ...exportsOf(v2?.results ?? null, shortId(id)).filter((d) => d.url !== videoPath),
  ];
  const r = v1.result;
  return (
    <Card id="result" title="Your ad" class="result-card">
      <div class="result">
        <div class={`player player-${(r?.resolution ?? '').includes('x') && Number(r!.resolution.split('x')[0]) < Number(r!.resolution.split('x')[1]) ? 'tall' : 'wide'}`}>
          <video data-testid="player" controls playsInline preload="metadata" src={video} poster={poster} aria-label="Finished ad" />
        </div>
        <div class="result-side">
          {r && (
            <dl class="kv">
              <div>
                <dt>Length</dt>
                <dd>{formatSeconds(r.duration)}</dd>
              </div>
              <div>
                <dt>Resolution</dt>
                <dd>{r.resolution}</dd>
              </div>
              <div>
                <dt>File size</dt>
                <dd>{formatMb(r.file_size_mb)}</dd>
              </div>
              <div>
                <dt>Scenes</dt>
                <dd>{r.scenes_generated}</dd>
              </div>
              <div>
                <dt>Finished</dt>
                <dd>{formatDateTime(v1.completed_at)}</dd>
              </div>
            </dl>
          )}
          <h3 class="sub">Downloads</h3>
          <ul class="downloads">
            {downloads.map((d) => (
              <li key={d.url}>
                <DownloadLink d={d} />
              </li>
            ))}
          </ul>
        </div>
      </div>
      {variations.length > 0 && (
        <>
          <h3 class="sub">Variations</h3>
          <ul class="variations">
            {variations.map((v) => (
              <VariationTile key={v.videoUrl} label={v.label} url={v.videoUrl} poster={v.thumbnailUrl} />
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function VariationTile({ label, url, poster }: { label: string; url: string; poster?: string }) {
  const src = useMediaUrl(url);
  const p = useMediaUrl(poster);
  return (
    <li class="variation">
      <video controls playsInline preload="metadata" src={src} poster={p} aria-label={label} />
      <span>{label}</span>
      <DownloadLink d={{ label: 'Download', url, filename: `${label.replace(/\s+/g, '-').toLowerCase()}.mp4` }} />
    </li>
  );
}

function DownloadLink({ d }: { d: Download }) {
  if (!session.key) {
    return (
      <a class="download" href={d.url} download={d.filename}>
        <Icon name="download" />
        {d.label}
      </a>
    );
  }
  return (
    <button type="button" class="download" onClick={() => void downloadWithKey(d.url, d.filename)}>
      <Icon name="download" />
      {d.label}
    </button>
  );
}

// ---------- timeline ----------

function Timeline({ attempts, jobStart, running }: { attempts: StageAttempt[]; jobStart: string; running: boolean }) {
  const now = Date.now();
  const t0 = Math.min(new Date(jobStart).getTime(), ...attempts.map((a) => new Date(a.started_at).getTime()));
  const t1 = Math.max(t0 + 1000, ...attempts.map((a) => (a.finished_at ? new Date(a.finished_at).getTime() : now)));
  const span = t1 - t0;
  return (
    <Card id="timeline" title="Stage timeline" class="timeline-card">
      {attempts.length === 0 ? (
        <p class="muted">{running ? 'Stages appear here as they start.' : 'No stage ran for this job.'}</p>
      ) : (
        <ol class="timeline" data-testid="timeline">
          {attempts.map((a) => {
            const start = new Date(a.started_at).getTime();
            const end = a.finished_at ? new Date(a.finished_at).getTime() : now;
            return (
              <li class={`tl-row tl-${a.status}`} key={a.attempt_id}>
                <div class="tl-label">
                  <strong>
                    {stageLabel(a.stage)}
                    {a.scene_index !== null && <span class="muted"> · scene {a.scene_index + 1}</span>}
                  </strong>
                  <span class="tl-meta">
                    {a.provider ?? '—'} · +{formatSeconds((start - t0) / 1000)} · {a.duration_seconds !== null ? formatSeconds(a.duration_seconds) : 'running'}
                    {a.provider_calls !== null && a.provider_calls > 1 && ` · ${a.provider_calls - 1} retr${a.provider_calls === 2 ? 'y' : 'ies'}`}
                    {a.deliveries > 1 && ` · ${a.deliveries} deliveries`}
                    {' · '}
                    {formatUsd(a.cost_usd)}
                    {a.cached && <span class="badge badge-muted tl-cached">cached</span>}
                  </span>
                  {a.error && (
                    <span class="tl-error">
                      <code class="code-chip">{a.error.code}</code> {a.error.message}
                    </span>
                  )}
                </div>
                <div class="tl-track" aria-hidden="true">
                  <span class="tl-bar" style={{ left: `${((start - t0) / span) * 100}%`, width: `${Math.max(1.5, ((end - start) / span) * 100)}%` }} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}

function CostCard({ v1, v2 }: { v1: V1Job; v2: V2Job | null }) {
  const entries = Object.entries(v2?.cost ?? v1.cost).filter(([k]) => k !== 'total');
  const total = v2?.cost?.total ?? v1.cost.total;
  return (
    <Card id="cost" title="Cost" class="cost-card">
      <dl class="quote">
        {entries.map(([k, v]) => (
          <div class="quote-row" key={k}>
            <dt>{stageLabel(k)}</dt>
            <dd>{formatUsd(v)}</dd>
          </div>
        ))}
        <div class="quote-row quote-total">
          <dt>Total</dt>
          <dd data-testid="job-cost">{formatUsd(total)}</dd>
        </div>
      </dl>
      {v2?.estimatedCost && <p class="help">Quoted {formatUsd(v2.estimatedCost.total)} before rendering.</p>}
    </Card>
  );
}
