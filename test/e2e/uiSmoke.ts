/**
 * UI smoke test in the real VS Code workbench page, driven as a user would: Quick Open a unit
 * file, wait for the squiggles, hover the misspelt key and read the hover, apply the quick fix
 * from Ctrl+. and check the editor text. Also takes the README screenshot.
 */

import type { Locator, Page } from 'playwright-core';
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
  const box = await token.boundingBox();
  if (!box) throw new Error('ProtectDevices= is not on screen');
  log('  hovering ProtectDevices=');
  const hover = visibleHover(page);
  await waitFor(
    'the hover over ProtectDevices=',
    async () => {
      // Move off and back on: Monaco shows the hover after the mouse rests on the word.
      await page.mouse.move(box.x + box.width / 2, box.y - 40);
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
