/**
 * UI smoke test in the real VS Code workbench page, driven as a user would: Quick Open a unit
 * file, wait for the squiggles, hover the misspelt key and read the hover, apply the quick fix
 * from Ctrl+. and check the editor text. Also takes the README screenshot. Then (previewReload)
 * opens the seccomp preview, reloads the window with Developer: Reload Window and expects the
 * extension's serializer to restore the panel, live.
 */

import type { FrameLocator, Locator, Page } from 'playwright-core';
import { log, waitFor } from './lib/steps';

export interface UiSmokeOptions {
  /** File name to open with Quick Open (it must be in the workspace folder). */
  readonly file: string;
  /** Where to save the screenshot with the hover and the Problems panel, if anywhere. */
  readonly screenshot?: string;
}

/** Text of the visible editor lines, top to bottom (Monaco renders them with nbsp). */
async function editorLines(page: Page): Promise<string[]> {
  const lines = page.locator('.editor-instance .monaco-editor .view-lines .view-line');
  const items = await lines.evaluateAll((els) =>
    els
      .map((e) => ({ top: parseFloat((e as unknown as { style: { top: string } }).style.top) || 0, text: (e as unknown as { textContent: string }).textContent }))
      .sort((a, b) => a.top - b.top)
      .map((e) => e.text),
  );
  return items.map((t) => t.replace(/\u00a0/g, ' '));
}

function visibleHover(page: Page): Locator {
  return page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).first();
}

async function squiggles(page: Page): Promise<number> {
  return page.locator('.editor-instance .monaco-editor .squiggly-error').count();
}

export async function uiSmoke(page: Page, opts: UiSmokeOptions): Promise<void> {
  // The workbench is ready when the explorer shows the workspace file.
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: opts.file }).first().waitFor({ timeout: 60_000 });
  log('  workbench ready; Quick Open');

  // Quick Open: Ctrl+P, type the name, Enter.
  await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } });
  await page.keyboard.press('Control+P');
  const quickInput = page.locator('.quick-input-widget');
  await quickInput.waitFor({ state: 'visible' });
  await page.keyboard.type(opts.file, { delay: 10 });
  await quickInput.locator('.monaco-list-row', { hasText: opts.file }).first().waitFor();
  log('  Quick Open lists the file; Enter');
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: opts.file }).waitFor();
  log('  tab open');
  await waitFor('the editor to show ProtectDevices=yes', async () => ((await editorLines(page)).includes('ProtectDevices=yes') ? true : undefined), {
    timeoutMs: 30_000,
    describe: () => 'editor lines',
  });
  const languageStatus = page.locator('.statusbar-item[id="status.editor.mode"]');
  const mode = (await languageStatus.innerText()).trim();
  if (!/systemd unit file/i.test(mode)) throw new Error(`status bar language is "${mode}", expected "systemd unit file"`);
  log('  editor open; waiting for the two error squiggles');

  // Diagnostics: two error squiggles in the editor.
  await waitFor('two error squiggles', async () => ((await squiggles(page)) >= 2 ? true : undefined), { timeoutMs: 30_000 });

  // The Problems panel (Ctrl+Shift+M) lists both, for the user and for the screenshot.
  await page.keyboard.press('Control+Shift+M');
  const markers = page.locator('.markers-panel .monaco-list-row');
  await waitFor('the Problems panel to list two errors', async () => ((await markers.filter({ hasText: 'did you mean' }).count()) === 2 ? true : undefined), {
    timeoutMs: 15_000,
  });
  const problemsText = await page.locator('.markers-panel').innerText();
  for (const want of ['did you mean PrivateDevices=', 'did you mean SystemCallArchitectures=']) {
    if (!problemsText.includes(want)) throw new Error(`the Problems panel lacks "${want}":\n${problemsText}`);
  }

  // Hover the misspelt key with the mouse.
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'ProtectDevices=yes' });
  const token = line.locator('span > span').first();
  log('  hovering ProtectDevices=');
  const hover = visibleHover(page);
  await waitFor(
    'the hover over ProtectDevices=',
    async () => {
      // Measure on every try: the editor may still be laying out (the Problems panel just opened),
      // and a stale box hovers the line above (PrivateTmp=) again and again.
      const box = await token.boundingBox();
      if (!box) return undefined;
      // Move off and back on: Monaco shows the hover after the mouse rests on the word. Off means
      // right of the text on the same line, so no other key is hovered on the way.
      await page.mouse.move(box.x + 500, box.y + box.height / 2);
      await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2, { steps: 5 });
      try {
        await hover.waitFor({ state: 'visible', timeout: 3_000 });
      } catch {
        return undefined;
      }
      return (await hover.innerText()).includes('ProtectDevices') ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const hoverText = await hover.innerText();
  for (const want of ['Unknown directive ProtectDevices= in [Service]', 'did you mean PrivateDevices=', 'misspelled-hardening-directive']) {
    if (!hoverText.includes(want)) throw new Error(`hover text lacks "${want}":\n${hoverText}`);
  }
  log(`  hover: ${hoverText.split('\n')[0]}`);
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot, type: 'png' });
    log(`  screenshot saved to ${opts.screenshot}`);
  }

  // Quick fix: caret on the key, Ctrl+., choose "Replace with PrivateDevices=".
  await page.keyboard.press('Escape');
  await token.click();
  await page.keyboard.press('Control+.');
  const action = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with PrivateDevices=' }).first();
  await action.waitFor({ state: 'visible', timeout: 15_000 });
  log('  quick fix menu open; choosing "Replace with PrivateDevices="');
  // Keyboard, as users do (the menu's pointer block swallows synthetic clicks): move the focus to
  // the entry, then Enter.
  const rows = page.locator('.action-widget .monaco-list-row.action');
  const count = await rows.count();
  for (let i = 0; i <= count && !(await action.evaluate((e) => (e as unknown as { classList: { contains(c: string): boolean } }).classList.contains('focused'))); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await waitFor(
    'the editor text to change to PrivateDevices=yes',
    async () => {
      const lines = await editorLines(page);
      return lines.includes('PrivateDevices=yes') && !lines.includes('ProtectDevices=yes') ? true : undefined;
    },
    { timeoutMs: 15_000 },
  );
  await waitFor('one error left in the Problems panel', async () => ((await markers.filter({ hasText: 'did you mean' }).count()) === 1 ? true : undefined), {
    timeoutMs: 15_000,
  });
  const dirty = await page.locator('.tabs-container .tab.active.dirty').count();
  if (dirty !== 1) throw new Error('the edited tab is not marked dirty');
}

/** The preview's page inside the webview's two iframes (VS Code's host frame, then the content frame). */
function previewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/**
 * Whether the workbench's IndexedDB storage holds an editor entry of our preview's view type whose
 * webview state names `file` and has filter row 0 expanded (what the page's script saved).
 */
async function savedPreviewState(page: Page, file: string): Promise<boolean> {
  return page.evaluate(async (name: string) => {
    type Req<T> = { result: T; onsuccess: (() => void) | null; onerror: (() => void) | null };
    const wait = <T>(r: Req<T>): Promise<T> => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(new Error('indexedDB')))));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const idb = (globalThis as any).indexedDB;
    for (const info of (await idb.databases()) as { name: string }[]) {
      const db = await wait<{ objectStoreNames: ArrayLike<string>; transaction(s: string): { objectStore(s: string): { getAll(): Req<unknown[]> } }; close(): void }>(idb.open(info.name));
      try {
        for (const store of Array.from(db.objectStoreNames)) {
          const values = await wait(db.transaction(store).objectStore(store).getAll());
          for (const v of values) {
            const text = typeof v === 'string' ? v : JSON.stringify(v);
            // The state is JSON inside JSON: quotes may be escaped any number of times.
            if (text.includes('unitHarden.preview') && text.includes(name) && /open\\*":\[0\]/.test(text)) return true;
          }
        }
      } finally {
        db.close();
      }
    }
    return false;
  }, file);
}

async function previewBars(page: Page): Promise<number> {
  return previewFrame(page).locator('.bar:not(.echo)').count().catch(() => 0);
}

/**
 * A real window reload with the seccomp preview open: opens it from the command palette for the
 * unit `uiSmoke` left open, expands a filter row, reloads the page, and expects VS Code to restore
 * the panel through the extension's serializer (same unit, same expanded row, plan shown) and the
 * restored panel to follow an edit of the unit.
 */
export async function previewReload(page: Page, opts: { readonly file: string; readonly text: string }): Promise<void> {
  const tab = page.locator('.tabs-container .tab', { hasText: `Seccomp: ${opts.file}` });
  // Save the unit first: a reload must not depend on hot exit restoring unsaved text.
  await page.locator('.tabs-container .tab.active', { hasText: opts.file }).click();
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 15_000 });
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  await page.keyboard.type('Unit Harden: Preview seccomp filters', { delay: 5 });
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preview seccomp filters' }).first().waitFor();
  await page.keyboard.press('Enter');
  await tab.waitFor({ timeout: 30_000 });
  const heading = previewFrame(page).locator('h1', { hasText: `Seccomp filters of ${opts.file}` });
  await heading.waitFor({ timeout: 30_000 });
  const bars = await waitFor('bars in the preview', async () => ((await previewBars(page)) > 0 ? previewBars(page) : undefined), { timeoutMs: 30_000 });
  log(`  preview open: ${bars} bars; expanding filter #0`);
  await previewFrame(page).locator('tr.row[data-index="0"]').click();
  await previewFrame(page).locator('tr.row.open[data-index="0"]').waitFor({ timeout: 10_000 });

  // The browser workbench saves its editors (with each webview's state) to IndexedDB every few
  // seconds, not on unload (async storage cannot finish there): wait until it has saved the
  // preview with the expanded row, as a user who reloads a while later would have it.
  await waitFor('the workbench to save the preview and its webview state (it saves a webview only if a serializer is registered for its view type)', async () => ((await savedPreviewState(page, opts.file)) ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 500,
  });
  log('  reloading the window (Developer: Reload Window)');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  await page.keyboard.type('Developer: Reload Window', { delay: 5 });
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Reload Window' }).first().waitFor();
  await Promise.all([page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 }), page.keyboard.press('Enter')]);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await tab.waitFor({ timeout: 60_000 });
  log('  the preview tab is back; waiting for the serializer to fill it');
  await heading.waitFor({ timeout: 60_000 });
  const restored = await waitFor('bars in the restored preview', async () => ((await previewBars(page)) > 0 ? previewBars(page) : undefined), { timeoutMs: 30_000 });
  if (restored !== bars) throw new Error(`the restored preview shows ${restored} bars, before the reload ${bars}`);
  // The expanded row came back from the webview state the serializer received.
  await previewFrame(page).locator('tr.row.open[data-index="0"]').waitFor({ timeout: 10_000 });
  log(`  restored: ${restored} bars, filter #0 still expanded; editing LockPersonality=yes`);

  // Live: LockPersonality=no drops its filters (one per ABI).
  const lineNo = opts.text.split('\n').indexOf('LockPersonality=yes') + 1;
  if (lineNo < 1) throw new Error(`${opts.file} has no line LockPersonality=yes`);
  await page.locator('.tabs-container .tab', { hasText: opts.file }).first().click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  await page.keyboard.type(String(lineNo), { delay: 5 });
  await page.keyboard.press('Enter');
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'LockPersonality=yes' });
  await line.waitFor({ timeout: 30_000 });
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('LockPersonality=no', { delay: 5 });
  const after = await waitFor('the restored preview to follow the edit', async () => {
    const n = await previewBars(page);
    return n > 0 && n < restored ? n : undefined;
  }, { timeoutMs: 30_000, describe: () => 'bar count' });
  log(`  the restored preview follows edits: ${restored} → ${after} bars`);
}
