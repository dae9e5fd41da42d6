/*
 * A real browser for the web app's tests: Debian's Chromium driven by Playwright (playwright-core, no
 * bundled browsers). `npm test` installs Chromium when it is missing (scripts/test.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { projectRoot } from '../../platform/config';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifactsDir = path.join(projectRoot, 'test-artifacts', 'browser');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: run the tests with npm test, which installs it`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // No sandbox: the tests run as root in a container. The rest keeps Chromium from calling home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Script errors, console errors and refused requests seen so far: a passing screen has none. */
  problems: string[];
  /** Every origin the page sent a request to: ours and the fakes', nothing from the internet. */
  origins: Set<string>;
}

/** A new page in its own context (own cookies and storage), watched for errors and for where it goes. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watched: WatchedPage = { page, problems: [], origins: new Set() };
  page.on('pageerror', (error) => watched.problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs refused API calls (4xx) as console errors; the tests provoke those on purpose.
    if (message.type() === 'error' && !/Failed to load resource: the server responded/.test(message.text()))
      watched.problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http')) watched.origins.add(url.origin);
  });
  return watched;
}

/** Saves a full-page screenshot under test-artifacts/browser/ (git-ignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

/** The app's own address with the tenant's key in the fragment, as `npm start` prints it. */
export const signedInUrl = (baseUrl: string, apiKey: string) =>
  `${baseUrl}/#key=${encodeURIComponent(apiKey)}`;
