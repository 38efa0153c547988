import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'data', 'dashboard-screenshots');
/** Largest script the dashboard may ship, gzip bytes (docs/dashboard.md, "Budgets"). */
export const MAX_SCRIPT_GZIP_BYTES = 300 * 1000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build:dashboard` unless dist/dashboard is newer than every source file of the app. */
export async function ensureDashboardBuilt(): Promise<void> {
  const index = path.join(ROOT, 'dist', 'dashboard', 'index.html');
  const src = path.join(ROOT, 'apps', 'dashboard');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(src)) return;
  await promisify(execFile)('npm', ['run', '--silent', 'build:dashboard'], { cwd: ROOT, timeout: 240_000 });
}

/** A headless Chromium on a fresh profile, downloads allowed. */
export async function launchBrowser(): Promise<BrowserContext> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'dashboard-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** Collects console errors and uncaught page errors of a page, for a "no console errors" assertion. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Lighthouse-style basics, run in the page (a string: the test tsconfig has no DOM types): every form control
 * and button has an accessible name (label, aria-label/labelledby, or text), every image an alt attribute.
 * @returns descriptions of offending elements (empty when all pass)
 */
export async function auditPage(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const problems = [];
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.outerHTML || '').slice(0, 90) + '"';
    const named = (el) => {
      if ((el.getAttribute('aria-label') || '').trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
      if (el.labels && Array.from(el.labels).some((l) => (l.textContent || '').trim())) return true;
      if ((el.tagName === 'BUTTON' || el.tagName === 'A') && (el.textContent || '').trim()) return true;
      if (el.getAttribute('title')) return true;
      return false;
    };
    for (const el of document.querySelectorAll('input, select, textarea, button, video')) {
      if (el.type === 'hidden') continue;
      if (!named(el)) problems.push('no label: ' + describe(el));
    }
    for (const a of document.querySelectorAll('a[href]')) if (!named(a)) problems.push('no link text: ' + describe(a));
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('no alt: ' + describe(img));
    for (const svg of document.querySelectorAll('svg')) {
      if (svg.getAttribute('aria-hidden') !== 'true' && !svg.getAttribute('aria-label') && svg.getAttribute('role') !== 'img') problems.push('svg without role/label or aria-hidden: ' + describe(svg));
    }
    return problems;
  })()`);
}

/** Gzip sizes (bytes) of every script the page loaded from its own origin. */
export async function scriptSizes(page: Page, baseUrl: string): Promise<Array<{ url: string; gzipBytes: number }>> {
  const urls = await page.evaluate<string[]>(`Array.from(new Set([
    ...Array.from(document.scripts).map((s) => s.src).filter(Boolean),
    ...performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script' || /\\.m?js(\\?|$)/.test(e.name)).map((e) => e.name),
  ]))`);
  const out: Array<{ url: string; gzipBytes: number }> = [];
  for (const url of urls.filter((u) => u.startsWith(baseUrl))) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    out.push({ url, gzipBytes: gzipSync(body, { level: 9 }).length });
  }
  return out;
}

/**
 * Plays the page's `[data-testid=player]` video to its end (muted, at 16×, Chromium's highest rate) and reports the element's state.
 * Seconds; pixels.
 */
export async function playToEnd(page: Page): Promise<{ ended: boolean; error: string | null; currentTime: number; duration: number; videoWidth: number; videoHeight: number }> {
  return page.evaluate(`new Promise((resolve) => {
    const v = document.querySelector('[data-testid=player]');
    if (!v) return resolve({ ended: false, error: 'no player', currentTime: 0, duration: 0, videoWidth: 0, videoHeight: 0 });
    const report = (ended, error) => resolve({ ended, error, currentTime: v.currentTime, duration: v.duration, videoWidth: v.videoWidth, videoHeight: v.videoHeight });
    v.addEventListener('ended', () => report(true, null));
    v.addEventListener('error', () => report(false, 'media error ' + (v.error && v.error.code)));
    v.muted = true;
    const go = () => { v.playbackRate = 16; v.play().catch((e) => report(false, 'play() rejected: ' + e.message)); };
    if (v.readyState >= 1) go(); else v.addEventListener('loadedmetadata', go, { once: true });
  })`);
}
