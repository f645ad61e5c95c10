/**
 * Headless Debian Chromium driven by playwright-core (no browser download): opens a workbench
 * page, records its console, and resolves when the workbench reports the extension tests' exit
 * code through `window.codeAutomationExit`.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './codeServer';
import { log } from './steps';

export const VIEWPORT = { width: 1280, height: 800 };

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

export interface LogFile {
  readonly relativePath: string;
  readonly contents: string;
}

export interface Workbench {
  readonly page: Page;
  readonly console: string[];
  /** Resolves with the code the workbench passes to codeAutomationExit (extension tests' result). */
  readonly exit: Promise<{ code: number; logs: LogFile[] }>;
  /** Rejects as soon as the console says our extension failed to activate. */
  readonly activationFailure: Promise<never>;
  saveConsole(file: string): void;
  close(): Promise<void>;
}

/**
 * A browser context (1280x800, dark colour scheme). Pages of one context share the HTTP cache, so
 * the second workbench loads much faster than the first.
 */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'dark' });
}

/** Opens `url` in a new page of `context` and starts recording its console. */
export async function openWorkbench(context: BrowserContext, url: string, extensionId: string): Promise<Workbench> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const lines: string[] = [];
  let failActivation: (e: Error) => void = () => undefined;
  const activationFailure = new Promise<never>((_, reject) => (failActivation = reject));
  activationFailure.catch(() => undefined);
  page.on('console', (msg) => {
    const text = msg.text();
    lines.push(`[${msg.type()}] ${text}`);
    if (new RegExp(`Activating extension '?${extensionId.replace('.', '\\.')}'? failed`, 'i').test(text)) {
      failActivation(new Error(`the workbench reports: ${text}`));
    }
  });
  page.on('pageerror', (err) => lines.push(`[pageerror] ${err.stack ?? err.message}`));
  page.on('crash', () => lines.push('[crash] the page crashed'));
  let resolveExit: (v: { code: number; logs: LogFile[] }) => void = () => undefined;
  const exit = new Promise<{ code: number; logs: LogFile[] }>((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number, logs?: LogFile[]) => {
    resolveExit({ code, logs: Array.isArray(logs) ? logs : [] });
  });
  log(`open ${url.length > 160 ? `${url.slice(0, 160)}…` : url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  return {
    page,
    console: lines,
    exit,
    activationFailure,
    saveConsole(file) {
      fs.writeFileSync(file, lines.join('\n') + '\n');
    },
    async close() {
      await page.close().catch(() => undefined);
    },
  };
}

/** Writes the browser-side logs the workbench handed to codeAutomationExit. */
export function saveBrowserLogs(logs: readonly LogFile[], dir: string): string[] {
  return logs.map((l) => {
    const dest = path.join(dir, `browser__${l.relativePath.split(/[\\/]/).join('__')}`);
    fs.writeFileSync(dest, l.contents);
    return dest;
  });
}
