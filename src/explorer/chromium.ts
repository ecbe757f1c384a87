/**
 * Node side (tests and bench only, never bundled): open figures/explorer.html in Debian's
 * headless Chromium through playwright-core (no browser download), from file://, and record
 * every network request and console error the page makes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../render/checkHtml.ts';

// The gallery check's Chromium and offline flags (playwright adds its own headless switch).
const FLAGS = CHROMIUM_FLAGS.filter((f) => f !== '--headless');
export { CHROMIUM_PATH };

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface ExplorerSession {
  page: Page;
  /** URLs of requests other than the page itself and its blob: workers/downloads. */
  networkRequests: string[];
  consoleErrors: string[];
  /** Load the page (optionally with a hash) and wait until its plots exist. */
  open(hash?: string): Promise<void>;
  close(): Promise<void>;
}

export async function openExplorer(htmlPath: string, viewport = { width: 1280, height: 1000 }): Promise<ExplorerSession> {
  const profile = mkdtempSync(join(tmpdir(), 'tsdyn-explorer-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const url = pathToFileURL(htmlPath).href;
  const networkRequests: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => {
    const u = r.url();
    if (u.split('#')[0] !== url && !u.startsWith('blob:') && !u.startsWith('data:')) networkRequests.push(u);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  return {
    page,
    networkRequests,
    consoleErrors,
    async open(hash = '') {
      // A fresh load each time: going from one hash of the page to another is only a hashchange.
      await page.goto('about:blank');
      await page.goto(url + hash);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Wait until both runs have finished (or stopped) and the last redraw is on screen. */
export async function waitSettled(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout, polling: 50 });
}
