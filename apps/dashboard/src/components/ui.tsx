import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api';
import { STATUS_LABEL } from '../format';
import { onLinkClick } from '../router';

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick} />;
}

const STATUS_TONE: Record<string, string> = {
  queued: 'neutral',
  processing: 'info',
  generating_storyboard: 'info',
  generating_video: 'info',
  storyboard_complete: 'warn',
  completed: 'ok',
  partially_completed: 'warn',
  failed: 'bad',
  cancelled: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  const tone = STATUS_TONE[status] ?? 'neutral';
  return (
    <span class={`badge badge-${tone}`} data-status={status}>
      <span class="badge-dot" aria-hidden="true" />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function ProgressBar({ value, label, active }: { value: number; label: string; active?: boolean }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class={`progress ${active ? 'progress-active' : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v}>
      <div class="progress-fill" style={{ width: `${v}%` }} />
    </div>
  );
}

export function Card({ title, actions, children, class: cls, id }: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section class={`card ${cls ?? ''}`} id={id} aria-labelledby={id && title ? `${id}-title` : undefined}>
      {(title || actions) && (
        <header class="card-head">
          {title && <h2 id={id ? `${id}-title` : undefined}>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function Skeleton({ rows = 4 }: { rows?: number }) {
  return (
    <div class="skeleton-list" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div class="skeleton" key={i} />
      ))}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ComponentChildren; action?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <svg class="state-art" viewBox="0 0 64 64" aria-hidden="true">
        <rect x="8" y="14" width="48" height="36" rx="6" fill="none" stroke="currentColor" stroke-width="2.5" />
        <path d="M27 25v14l12-7z" fill="currentColor" />
      </svg>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const e = error instanceof ApiError ? error : null;
  return (
    <div class="state state-error" role="alert">
      <h3>{e?.status === 404 ? 'Not found' : 'Something went wrong'}</h3>
      <p>{e ? e.message : String((error as Error)?.message ?? error)}</p>
      {e?.code && <code class="code-chip">{e.code}</code>}
      {retry && (
        <button type="button" class="btn btn-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A modal built on <dialog> (focus trap, Escape and inert background from the browser). */
export function Modal({ open, title, onClose, children, footer }: { open: boolean; title: string; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="modal" aria-labelledby="modal-title" onClose={onClose} onCancel={onClose}>
      <div class="modal-body">
        <h2 id="modal-title">{title}</h2>
        {children}
      </div>
      {footer && <div class="modal-foot">{footer}</div>}
    </dialog>
  );
}

export function Icon({ name }: { name: 'jobs' | 'plus' | 'pulse' | 'sun' | 'moon' | 'key' | 'download' | 'refresh' | 'edit' | 'check' | 'play' | 'x' | 'logout' }) {
  const paths: Record<string, string> = {
    jobs: 'M4 6h16M4 12h16M4 18h10',
    plus: 'M12 5v14M5 12h14',
    pulse: 'M3 12h4l3-7 4 14 3-7h4',
    sun: 'M12 4V2M12 22v-2M4 12H2M22 12h-2M5.6 5.6 4.2 4.2M19.8 19.8l-1.4-1.4M5.6 18.4l-1.4 1.4M19.8 4.2l-1.4 1.4M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z',
    moon: 'M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z',
    key: 'M15 7a4 4 0 1 1-3.9 5H9v2H7v2H4v-3l5.1-5.1A4 4 0 0 1 15 7z',
    download: 'M12 4v11m0 0-4-4m4 4 4-4M5 20h14',
    refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6',
    edit: 'M4 20h4L19 9l-4-4L4 16v4z',
    check: 'M5 12l5 5 9-10',
    play: 'M8 5v14l11-7z',
    x: 'M6 6l12 12M18 6 6 18',
    logout: 'M15 12H4m0 0 4-4m-4 4 4 4M14 4h5v16h-5',
  };
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={paths[name]} fill={name === 'play' ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

/** Announces short messages to screen readers and shows them as a toast. */
export function Toast({ message, tone = 'ok', onDone }: { message: string | null; tone?: 'ok' | 'bad'; onDone: () => void }) {
  useEffect(() => {
    if (!message) return;
    const t = setTimeout(onDone, 4000);
    return () => clearTimeout(t);
  }, [message]);
  return (
    <div class="toast-region" aria-live="polite">
      {message && <div class={`toast toast-${tone}`}>{message}</div>}
    </div>
  );
}
