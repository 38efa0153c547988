import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { auditPage, CHROMIUM, ensureDashboardBuilt, launchBrowser, MAX_SCRIPT_GZIP_BYTES, playToEnd, screenshot, scriptSizes, watchConsole } from '../support/dashboard-browser';
import { getV2Job, type V2JobBody } from '../support/v2-client';

/**
 * The dashboard's full flow on the v2 API (docs/dashboard.md, "Pages"; docs/api.md, "v2"): fill the New ad form → the job appears → progress advances
 * live → the storyboard shows one still per scene → edit a scene's text, then regenerate that scene → approve
 * and render (the quote shown first) → the video plays to its end in the page's player → downloads work. At
 * desktop width and at 390 px, screenshots to data/dashboard-screenshots/, no console errors, labels/alt and
 * the script budget checked. On a build without the v2 routes (GET /api/v2/jobs/{id} answers the router's
 * 404, not a job's) each case says so and stops after checking that answer.
 */
const JOB_DEADLINE_MS = 900_000;
const describeIfChromium = existsSync(CHROMIUM) ? describe : describe.skip;

describeIfChromium('dashboard full flow on the v2 API (Chromium)', () => {
  let t: TestApp;
  let browser: BrowserContext;
  let v2Routed = false;
  let probe: { status: number; message: string };

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
    const res = await fetch(`${t.baseUrl}/api/v2/jobs/00000000-0000-4000-8000-000000000000`);
    probe = { status: res.status, message: ((await res.json()) as { error?: { message?: string } }).error?.message ?? '' };
    v2Routed = !(probe.status === 404 && /^Cannot GET /.test(probe.message));
    if (!v2Routed) return;
    await ensureDashboardBuilt();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 860 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`should take an ad from the form through storyboard review to a played video and its downloads (${viewport.name}, ${viewport.width} px)`, async () => {
      if (!v2Routed) {
        // The router's own 404: this build has no v2 API yet (it comes with the v2 API's branch).
        expect(probe).toEqual({ status: 404, message: 'Cannot GET /api/v2/jobs/00000000-0000-4000-8000-000000000000' });
        process.stderr.write(`SKIPPED dashboard v2 full flow (${viewport.name}): GET /api/v2/jobs/{id} is not routed on this build (404 "${probe.message}"); it runs once the v2 API is merged.\n`);
        return;
      }
      const shot = (p: Page, step: string) => screenshot(p, `v2-${viewport.name}-${step}`);
      const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
      const page = await browser.newPage();
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      const errors = watchConsole(page);

      // 1. The form.
      await page.goto(`${t.baseUrl}/dashboard/new`);
      await page.locator('#video-name').waitFor();
      await page.locator('#video-name').fill(`Bakery ${viewport.name}`);
      const prompt = `Cosy ${viewport.name} ad for a neighbourhood bakery: sourdough at sunrise, flour dust in the light, ending on "Open 7 days"`;
      await page.locator('#prompt').fill(prompt);
      expect(await page.locator('[data-testid=prompt-count]').innerText()).toBe(`${prompt.length} / 500`);
      await page.locator('label.seg', { hasText: '15 s' }).click();
      await page.locator('label.platform', { hasText: 'Instagram' }).click();
      expect(await page.locator('#aspect').inputValue()).toBe('9:16');
      await page.locator('#primary-hex').fill('#B45309');
      await page.locator('#secondary-hex').fill('#FFF7ED');
      await page.locator('label.chip', { hasText: 'Minimal' }).click();
      await page.locator('[data-testid=estimate-total]').waitFor();
      await shot(page, '01-form');
      expect(await auditPage(page)).toEqual([]);
      await page.getByRole('button', { name: 'Create storyboard' }).click();

      // 2. The job appears and its progress advances live.
      await page.waitForURL(/\/dashboard\/jobs\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      const id = /jobs\/([0-9a-f-]{36})$/.exec(page.url())![1];
      const seen = new Set<number>();
      await pollUntil(
        async () => {
          const pct = page.locator('[data-testid=job-percentage]');
          if (await pct.count()) seen.add(Number(/(\d+)/.exec(await pct.innerText())?.[1] ?? -1));
          if (seen.size === 2) await shot(page, '02-progress');
          return page.locator('[data-testid=storyboard] li.scene').count();
        },
        (n) => n > 0,
        JOB_DEADLINE_MS,
        300,
      );
      const ready = await pollUntil(() => get(id), (j) => j.status === 'storyboard_complete', JOB_DEADLINE_MS, 500);
      expect(seen.size).toBeGreaterThanOrEqual(1);

      // 3. One still per scene, each loaded, each with alt text.
      await page.locator('[data-testid=storyboard] li.scene').nth(ready.storyboard.length - 1).waitFor();
      expect(await page.locator('[data-testid=storyboard] li.scene').count()).toBe(ready.storyboard.length);
      await pollUntil(() => page.evaluate(`Array.from(document.querySelectorAll('[data-testid=storyboard] img')).filter((i) => i.complete && i.naturalWidth > 0 && i.alt).length`), (n) => n === ready.storyboard.length, 60_000);
      await shot(page, '03-storyboard');
      expect(await auditPage(page)).toEqual([]);

      // 4. Edit scene 1's on-screen text, then regenerate scene 1; the other stills keep their bytes.
      const bytes = async (url: string) => Buffer.from(await (await fetch(new URL(url, t.baseUrl))).arrayBuffer());
      const before = await Promise.all(ready.storyboard.map((s) => bytes(s.imageUrl)));
      await page.getByRole('button', { name: 'Edit scene 1' }).click();
      await page.locator('#scene-text').fill('Fresh every morning');
      await shot(page, '04-edit-scene');
      await page.locator('[data-testid=save-scene]').click();
      await pollUntil(() => get(id), (j) => j.status === 'storyboard_complete' && j.storyboard[0].onScreenText === 'Fresh every morning', JOB_DEADLINE_MS, 500);
      await page.locator('[data-scene="1"] [data-testid=scene-text]', { hasText: 'Fresh every morning' }).waitFor({ timeout: 60_000 });
      const edited = await get(id);
      const afterEdit = await Promise.all(edited.storyboard.map((s) => bytes(s.imageUrl)));
      await page.getByRole('button', { name: 'Regenerate scene 1' }).click();
      const regenerated = await pollUntil(
        async () => {
          const j = await get(id);
          return { j, first: j.status === 'storyboard_complete' ? await bytes(j.storyboard[0].imageUrl) : null };
        },
        ({ first }) => first !== null && !first.equals(afterEdit[0]),
        JOB_DEADLINE_MS,
        500,
      );
      for (let i = 1; i < before.length; i++) expect((await bytes(regenerated.j.storyboard[i].imageUrl)).equals(afterEdit[i])).toBe(true);
      await shot(page, '05-regenerated');

      // 5. Approve, then render with the quote shown before spending.
      await page.getByRole('button', { name: 'Approve' }).click();
      await pollUntil(() => get(id), (j) => j.approved, 60_000, 500);
      await page.getByRole('button', { name: 'Render video' }).click();
      const confirm = page.locator('[data-testid=confirm-render]');
      await confirm.waitFor();
      expect(await confirm.innerText()).toMatch(/^Render for \$\d+\.\d{2,4}$/);
      await shot(page, '06-render-quote');
      await confirm.click();
      await page.locator('[data-testid=player]').waitFor({ timeout: JOB_DEADLINE_MS });
      const done = await get(id);
      expect(done.status).toBe('completed');
      await page.locator('[data-testid=player]').scrollIntoViewIfNeeded();
      await shot(page, '07-finished');
      expect(await auditPage(page)).toEqual([]);

      // 6. The video plays to its end; every download is what the API serves.
      const played = await playToEnd(page);
      expect(played.error).toBeNull();
      expect(played.ended).toBe(true);
      expect(played.duration).toBeGreaterThan(14);
      const links = page.locator('.downloads a.download');
      const n = await links.count();
      expect(n).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < n; i++) {
        const link = links.nth(i);
        const href = (await link.getAttribute('href'))!;
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        expect((await readFile(await download.path())).equals(await bytes(href))).toBe(true);
      }

      const scripts = await scriptSizes(page, t.baseUrl);
      expect(Math.max(...scripts.map((s) => s.gzipBytes))).toBeLessThan(MAX_SCRIPT_GZIP_BYTES);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
      expect(errors).toEqual([]);
      await page.close();
    }, 4 * JOB_DEADLINE_MS);
  }
});
