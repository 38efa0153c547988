import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, session } from './api';
import { Icon, Link, Spinner, Toast } from './components/ui';
import { JobPage } from './pages/Job';
import { JobsPage } from './pages/Jobs';
import { NewAdPage } from './pages/NewAd';
import { OperationsPage } from './pages/Operations';
import { href, useRoute, type Route } from './router';
import './styles.css';

type Theme = 'light' | 'dark';
const THEME_KEY = 'ado.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
document.documentElement.dataset.theme = initialTheme();

type AuthState = 'checking' | 'open' | 'signed-in' | 'needs-key';

function App() {
  const route = useRoute();
  const [theme, setTheme] = useState<Theme>(() => document.documentElement.dataset.theme as Theme);
  const [auth, setAuth] = useState<AuthState>('checking');
  const [toast, setToast] = useState<{ m: string; tone: 'ok' | 'bad' } | null>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  useEffect(() => {
    api.onUnauthorized(() => {
      session.set(null);
      setAuth('needs-key');
    });
    api.listJobs({ limit: 1 }).then(
      () => setAuth(session.key ? 'signed-in' : 'open'),
      (err: unknown) => setAuth(err instanceof ApiError && err.status === 401 ? 'needs-key' : session.key ? 'signed-in' : 'open'),
    );
  }, []);

  useEffect(() => {
    const titles: Record<Route['page'], string> = { jobs: 'Jobs', new: 'New ad', job: 'Job', operations: 'Operations', 'not-found': 'Not found' };
    document.title = `${titles[route.page]} · Ad Studio`;
  }, [route]);

  const say = (m: string, tone: 'ok' | 'bad' = 'ok') => setToast({ m, tone });

  return (
    <div class="shell">
      <a href="#main" class="skip">
        Skip to content
      </a>
      <header class="topbar">
        <Link href={href('/')} class="brand" aria-label="Ad Studio home">
          <span class="brand-mark" aria-hidden="true">
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <rect x="2" y="4" width="20" height="16" rx="5" />
              <path d="M10 9v6l5-3z" />
            </svg>
          </span>
          <span class="brand-name">Ad Studio</span>
        </Link>
        <nav class="nav" aria-label="Main">
          <NavLink to="/" label="Jobs" icon="jobs" on={route.page === 'jobs' || route.page === 'job'} />
          <NavLink to="/new" label="New ad" icon="plus" on={route.page === 'new'} />
          <NavLink to="/operations" label="Operations" icon="pulse" on={route.page === 'operations'} />
        </nav>
        <div class="topbar-end">
          <button type="button" class="btn-icon" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}>
            <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
          </button>
          {auth === 'signed-in' && (
            <button
              type="button"
              class="btn-icon"
              aria-label="Sign out"
              onClick={() => {
                session.set(null);
                setAuth('needs-key');
              }}
            >
              <Icon name="logout" />
            </button>
          )}
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {auth === 'checking' ? (
          <Spinner label="Connecting" />
        ) : auth === 'needs-key' ? (
          <SignIn onDone={() => setAuth('signed-in')} />
        ) : route.page === 'jobs' ? (
          <JobsPage toast={say} />
        ) : route.page === 'new' ? (
          <NewAdPage />
        ) : route.page === 'job' ? (
          <JobPage id={route.id} toast={say} key={route.id} />
        ) : route.page === 'operations' ? (
          <OperationsPage />
        ) : (
          <div class="page">
            <h1>Page not found</h1>
            <Link href={href('/')}>Back to jobs</Link>
          </div>
        )}
      </main>
      <Toast message={toast?.m ?? null} tone={toast?.tone} onDone={() => setToast(null)} />
    </div>
  );
}

function NavLink({ to, label, icon, on }: { to: string; label: string; icon: 'jobs' | 'plus' | 'pulse'; on: boolean }) {
  return (
    <Link href={href(to)} class={`nav-link ${on ? 'nav-on' : ''}`} aria-current={on ? 'page' : undefined}>
      <Icon name={icon} />
      <span>{label}</span>
    </Link>
  );
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    setError(null);
    session.set(key.trim());
    try {
      await api.listJobs({ limit: 1 });
      onDone();
    } catch (err) {
      session.set(null);
      setError(err instanceof ApiError && err.status === 401 ? 'That key was not accepted. Check it and try again.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="signin card" onSubmit={submit} aria-labelledby="signin-title">
      <span class="signin-icon" aria-hidden="true">
        <Icon name="key" />
      </span>
      <h1 id="signin-title">Sign in</h1>
      <p class="lede">Paste the API key your admin gave you. It stays in this tab only and is sent as a header.</p>
      <div class="field">
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="btn btn-primary btn-block" disabled={busy || !key.trim()}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}

render(<App />, document.getElementById('app')!);
