import { useEffect, useState } from 'preact/hooks';

/** Base path the app is served under (vite `base`). */
export const BASE = '/dashboard';

export type Route =
  | { page: 'jobs' }
  | { page: 'new' }
  | { page: 'job'; id: string }
  | { page: 'operations' }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const p = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const clean = p.replace(/\/+$/, '') || '/';
  if (clean === '/' || clean === '/jobs') return { page: 'jobs' };
  if (clean === '/new') return { page: 'new' };
  if (clean === '/operations') return { page: 'operations' };
  const m = /^\/jobs\/([0-9a-zA-Z-]{1,64})$/.exec(clean);
  if (m) return { page: 'job', id: m[1] };
  return { page: 'not-found' };
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

/** Pushes a client-side route and tells listeners. */
export function navigate(path: string): void {
  const url = path.startsWith(BASE) ? path : href(path);
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  window.dispatchEvent(new Event('ado:navigate'));
  window.scrollTo({ top: 0 });
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener('ado:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('ado:navigate', update);
    };
  }, []);
  return route;
}

/** Click handler for in-app links: client-side navigation unless a modifier asks for a new tab. */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? BASE);
}
