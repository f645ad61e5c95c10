/**
 * The end-to-end checks: each drives the real VS Code API (diagnostics, hover, code actions,
 * completion, symbols, folding, settings, commands) against the extension as VS Code loaded it.
 * Add a check with `check(name, async () => { ... })`; they run in the order written here.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { check, expect, expectEqual, show, waitFor } from './harness';
import { SERVER_EXEC_ARGV } from '../../../client/src/constants';
import type { loadUnit as LoadUnit } from '../../../server/src/model/unit';
import type { planFilters as PlanFilters } from '../../../server/src/seccomp/planner';
import type { resolveTarget as ResolveTarget } from '../../../server/src/seccomp/target';
import {
  EXTENSION_ID,
  LANGUAGE_ID,
  REPO_ROOT,
  alive,
  codeOf,
  copyExample,
  exampleText,
  extensionApi,
  hoverText,
  labelOf,
  open,
  ours,
  serverPids,
  summary,
  waitForDiagnostics,
  waitForServerPid,
  writeFile,
} from './fixtures';

const MISSPELLED = 'misspelled-hardening-directive';

/** 0-based line of the first line of `text` that starts with `prefix`. */
function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  if (i < 0) throw new Error(`no line starting with ${prefix}`);
  return i;
}

const WEBAPP = exampleText('webapp.service');
const PROTECT_DEVICES_LINE = lineOf(WEBAPP, 'ProtectDevices=');
const ARCHITECTURE_LINE = lineOf(WEBAPP, 'SystemCallArchitecture=');
const FILTER_LINE = lineOf(WEBAPP, 'SystemCallFilter=');

let webapp: vscode.Uri | undefined;
function webappUri(): vscode.Uri {
  webapp ??= copyExample('webapp.service');
  return webapp;
}

check('the extension is installed where the runner says and activates on a .service file', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  expect(ext, `extension ${EXTENSION_ID} is not known to VS Code`, vscode.extensions.all.map((e) => e.id));
  // The runner tells which copy must be loaded: the source tree, or the one installed from the .vsix.
  const expected = process.env['UNIT_HARDEN_E2E_EXTENSION_ROOT'];
  if (expected) {
    expectEqual(fs.realpathSync(ext.extensionPath), fs.realpathSync(expected), 'extension loaded from the wrong folder');
  }
  const pkg = ext.packageJSON as { version?: string; main?: string };
  expect(pkg.main === './dist/extension.js', 'unexpected main in the loaded package.json', pkg.main);
  await open(webappUri());
  await waitFor('the extension to activate', () => (ext.isActive ? true : undefined), { timeoutMs: 30_000 });
  expect((await vscode.commands.getCommands(true)).includes('unitHarden.restartServer'), 'unitHarden.restartServer is not registered');
});

check('language ids: .service files and drop-in override.conf are systemd-unit', async () => {
  const unit = await vscode.workspace.openTextDocument(webappUri());
  expectEqual(unit.languageId, LANGUAGE_ID, 'language id of webapp.service');
  const dropin = await vscode.workspace.openTextDocument(writeFile('x.service.d/override.conf', '[Service]\nProtectDevices=yes\n'));
  expectEqual(dropin.languageId, LANGUAGE_ID, 'language id of x.service.d/override.conf');
  const other = await vscode.workspace.openTextDocument(writeFile('not-a-dropin/app.conf', 'key=value\n'));
  expect(other.languageId !== LANGUAGE_ID, 'a .conf outside a drop-in folder must not be a systemd unit', other.languageId);
  const socket = await vscode.workspace.openTextDocument(writeFile('web.socket', '[Socket]\nListenStream=80\n'));
  expectEqual(socket.languageId, LANGUAGE_ID, 'language id of web.socket');
});

check('diagnostics: the two typos in examples/webapp.service are errors on the right lines', async () => {
  const uri = webappUri();
  await open(uri);
  const ds = await waitForDiagnostics(uri, 'two misspelled-directive errors', (d) => d.filter((x) => codeOf(x) === MISSPELLED).length >= 2);
  const errors = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  expectEqual(summary(errors), [`${PROTECT_DEVICES_LINE}:${MISSPELLED}`, `${ARCHITECTURE_LINE}:${MISSPELLED}`].sort(), 'error diagnostics of webapp.service');
  const pd = errors.find((d) => d.range.start.line === PROTECT_DEVICES_LINE)!;
  expectEqual(
    [pd.range.start.line, pd.range.start.character, pd.range.end.line, pd.range.end.character],
    [PROTECT_DEVICES_LINE, 0, PROTECT_DEVICES_LINE, 'ProtectDevices'.length],
    'range of the ProtectDevices= diagnostic',
  );
  expect(pd.message.includes('did you mean PrivateDevices='), 'ProtectDevices= message', pd.message);
  const arch = errors.find((d) => d.range.start.line === ARCHITECTURE_LINE)!;
  expect(arch.message.includes('did you mean SystemCallArchitectures='), 'SystemCallArchitecture= message', arch.message);
});

check('diagnostics: examples/resolver.service has no errors or warnings', async () => {
  const uri = copyExample('resolver.service');
  const doc = await open(uri);
  const editor = await vscode.window.showTextDocument(doc);
  const bad = (d: vscode.Diagnostic[]) => d.filter((x) => x.severity === vscode.DiagnosticSeverity.Error || x.severity === vscode.DiagnosticSeverity.Warning);
  // "No diagnostics" looks the same before and after validation, so make the server speak first:
  // add a typo, wait for its error, take it out again, and wait for the file to be clean.
  const at = new vscode.Position(lineOf(exampleText('resolver.service'), '[Service]') + 1, 0);
  expect(await editor.edit((b) => b.insert(at, 'ProtectDevices=yes\n')), 'edit failed');
  await waitForDiagnostics(uri, 'the inserted typo', (d) => summary(bad(d)).join() === `${at.line}:${MISSPELLED}`);
  expect(await editor.edit((b) => b.delete(new vscode.Range(at, at.translate(1)))), 'edit failed');
  expectEqual(doc.getText(), exampleText('resolver.service'), 'text after removing the typo');
  await waitForDiagnostics(uri, 'no errors or warnings', (d) => bad(d).length === 0);
  expectEqual(summary(bad(ours(uri))), [], 'errors and warnings in resolver.service');
});

check('hover: a directive key shows its documentation', async () => {
  const uri = webappUri();
  await open(uri);
  const hovers = await waitFor('a hover on SystemCallFilter=', async () => {
    const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(FILTER_LINE, 3));
    return hs.length > 0 ? hs : undefined;
  });
  const text = hoverText(hovers[0]!);
  expect(text.startsWith('**SystemCallFilter=**'), 'hover text must start with **SystemCallFilter=**', text);
  expect(text.includes('freedesktop.org/software/systemd/man'), 'hover links the man page', text);
  const r = hovers[0]!.range;
  expect(r && r.start.line === FILTER_LINE && r.start.character === 0 && r.end.character === 'SystemCallFilter'.length, 'hover range covers the key', r);
  const header = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(lineOf(WEBAPP, '[Service]'), 2));
  expect(header.length > 0 && hoverText(header[0]!).startsWith('**[Service]**'), 'hover on [Service]', header.map(hoverText));
});

check('quick fix: "Replace with PrivateDevices=" edits the document and clears the error', async () => {
  const uri = copyExample('webapp.service', 'quickfix');
  const doc = await open(uri);
  const ds = await waitForDiagnostics(uri, 'the ProtectDevices= error', (d) => d.some((x) => x.range.start.line === PROTECT_DEVICES_LINE));
  const diag = ds.find((x) => x.range.start.line === PROTECT_DEVICES_LINE)!;
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, diag.range);
  const fix = actions.find((a): a is vscode.CodeAction => a.title === 'Replace with PrivateDevices=');
  expect(fix, 'no "Replace with PrivateDevices=" action', actions.map((a) => a.title));
  expect(fix.kind?.value === vscode.CodeActionKind.QuickFix.value, 'the fix is a quickfix', fix.kind?.value);
  expect(fix.isPreferred === true, 'the fix is the preferred one', fix.isPreferred);
  expect(fix.edit, 'the fix carries a workspace edit', fix);
  expect(await vscode.workspace.applyEdit(fix.edit), 'applyEdit returned false');
  expectEqual(doc.lineAt(PROTECT_DEVICES_LINE).text, 'PrivateDevices=yes', 'the edited line');
  expectEqual(doc.lineCount, WEBAPP.split('\n').length, 'line count after the edit');
  await waitForDiagnostics(uri, 'only the SystemCallArchitecture= error left', (d) => {
    const errs = d.filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
    return errs.length === 1 && errs[0]!.range.start.line === ARCHITECTURE_LINE;
  });
  await doc.save();
  expectEqual(fs.readFileSync(uri.fsPath, 'utf8').split('\n')[PROTECT_DEVICES_LINE], 'PrivateDevices=yes', 'the saved line');
});

check('completion: directive names in [Service], section names after [', async () => {
  const uri = writeFile('complete.service', '[Service]\nExecStart=/bin/true\nSystemCall\n[\n');
  await open(uri);
  const list = await waitFor('directive completions', async () => {
    const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(2, 'SystemCall'.length));
    return l.items.some((i) => labelOf(i) === 'SystemCallFilter') ? l : undefined;
  });
  const labels = list.items.map(labelOf);
  for (const want of ['SystemCallFilter', 'SystemCallArchitectures', 'SystemCallErrorNumber', 'SystemCallLog', 'PrivateDevices']) {
    expect(labels.includes(want), `completion lacks ${want}`, labels.slice(0, 30));
  }
  expect(!labels.includes('ProtectDevices'), 'completion offers the non-existent ProtectDevices', labels);
  const filter = list.items.find((i) => labelOf(i) === 'SystemCallFilter')!;
  expectEqual(filter.kind, vscode.CompletionItemKind.Property, 'kind of SystemCallFilter');
  const insert = filter.insertText instanceof vscode.SnippetString ? filter.insertText.value : filter.insertText;
  expectEqual(insert, 'SystemCallFilter=$0', 'insert text of SystemCallFilter');
  const sections = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(3, 1));
  const sectionLabels = sections.items.map(labelOf);
  for (const want of ['[Unit]', '[Service]', '[Install]']) expect(sectionLabels.includes(want), `section completion lacks ${want}`, sectionLabels);
  expect(!sectionLabels.includes('[Socket]'), 'a .service must not be offered [Socket]', sectionLabels);
});

check('document symbols and folding ranges follow the sections of webapp.service', async () => {
  const uri = webappUri();
  await open(uri);
  // Expected outline from the file itself: section headers and the keys below them.
  const expected: [string, string[]][] = [];
  for (const line of WEBAPP.split('\n')) {
    const h = /^\[(\w+)\]$/.exec(line);
    if (h) expected.push([`[${h[1]}]`, []]);
    const k = /^(\w+)=/.exec(line);
    if (k && expected.length) expected[expected.length - 1]![1].push(k[1]!);
  }
  const symbols = await waitFor('document symbols', async () => {
    const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    return s && s.length > 0 ? s : undefined;
  });
  expectEqual(
    symbols.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
    expected,
    'outline of webapp.service',
  );
  expectEqual(symbols[1]!.kind, vscode.SymbolKind.Namespace, 'kind of the [Service] symbol');
  const folds = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', uri);
  const starts = folds.map((f) => f.start);
  for (const header of ['[Unit]', '[Service]', '[Install]']) {
    expect(starts.includes(lineOf(WEBAPP, header)), `no folding range starts at ${header}`, folds);
  }
});

check('settings: unitHarden.target.systemdVersion=245 flags SystemCallLog= (new in 247), 252 does not', async () => {
  // ProtectDevices= is a sentinel: once its error is there, the server has validated this version.
  const uri = writeFile('version.service', '[Service]\nExecStart=/bin/true\nSystemCallLog=@mount\nProtectDevices=yes\nNoNewPrivileges=yes\n');
  await open(uri);
  const config = () => vscode.workspace.getConfiguration('unitHarden');
  const versionCode = 'directive-not-in-version';
  const before = await waitForDiagnostics(uri, 'the sentinel error on 252', (d) => d.some((x) => codeOf(x) === MISSPELLED));
  expectEqual(summary(before), [`3:${MISSPELLED}`], 'diagnostics on systemd 252');
  try {
    await config().update('target.systemdVersion', '245', vscode.ConfigurationTarget.Global);
    const on245 = await waitForDiagnostics(uri, `${versionCode} on 245`, (d) => d.some((x) => codeOf(x) === versionCode));
    expectEqual(summary(on245), [`2:${versionCode}`, `3:${MISSPELLED}`], 'diagnostics on systemd 245');
    const d = on245.find((x) => codeOf(x) === versionCode)!;
    expectEqual(d.severity, vscode.DiagnosticSeverity.Warning, 'severity of directive-not-in-version');
    expect(d.message.includes('245'), 'the message names the target version', d.message);
  } finally {
    await config().update('target.systemdVersion', undefined, vscode.ConfigurationTarget.Global);
  }
  await waitForDiagnostics(uri, `${versionCode} gone after going back to 252`, (d) => !d.some((x) => codeOf(x) === versionCode) && d.length === 1);
});

check('command: unitHarden.restartServer restarts the server (a new process) and it serves again', async () => {
  const api = await extensionApi();
  const uri = writeFile('restart.service', '[Service]\nExecStart=/bin/true\n');
  const doc = await open(uri);
  const before = await waitForServerPid('one language server process before the restart');
  await vscode.commands.executeCommand('unitHarden.restartServer');
  // The command resolves once the new server runs; the old one exits after its shutdown.
  expectEqual(api.serverState(), 'running', 'client state after the restart command');
  const after = await waitForServerPid('a new language server process after the restart', before);
  await waitFor('the old server process to exit', () => (alive(before) ? undefined : true), { timeoutMs: 10_000 });
  // After the restart the new server must see edits: introduce a typo and wait for its error.
  const editor = await vscode.window.showTextDocument(doc);
  expect(await editor.edit((b) => b.insert(new vscode.Position(2, 0), 'SystemCallArchitecture=native\n')), 'edit failed');
  await waitForDiagnostics(uri, 'the error from the restarted server', (d) => summary(d).join() === `2:${MISSPELLED}`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 2));
  expect(hovers.length > 0 && hoverText(hovers[0]!).startsWith('**ExecStart=**'), 'hover after restart', hovers.map(hoverText));
  expectEqual(serverPids(), [after], 'server processes at the end');
  // The server runs with the Node options the client sets for a small, long-lived process.
  const argv = fs.readFileSync(`/proc/${after}/cmdline`, 'utf8').split('\0');
  for (const option of SERVER_EXEC_ARGV) expect(argv.includes(option), `server started without ${option}`, argv);
});

check('crash: a language server killed with SIGKILL is restarted by the client, and diagnostics and hover work again', async () => {
  const api = await extensionApi();
  const uri = writeFile('crash.service', '[Service]\nExecStart=/bin/true\n');
  const doc = await open(uri);
  // A server that certainly serves this document before the kill: a typo's error appears and goes.
  const editor = await vscode.window.showTextDocument(doc);
  expect(await editor.edit((b) => b.insert(new vscode.Position(2, 0), 'ProtectDevices=yes\n')), 'edit failed');
  await waitForDiagnostics(uri, 'the typo before the kill', (d) => summary(d).join() === `2:${MISSPELLED}`);
  const victim = await waitForServerPid('one language server process before the kill');
  const restartsBefore = api.crashRestarts();
  process.kill(victim, 'SIGKILL');
  // Edit at once, several times, so the client may write into the dead pipe. The `write EPIPE`
  // errors must not keep it from restarting the server: with vscode-languageclient's default error
  // handler they shut the client down first and the server stayed dead (seen once in a vsix run;
  // these edits make that timing likelier, not certain).
  for (let i = 0; i < 8; i++) {
    expect(await editor.edit((b) => b.replace(doc.lineAt(2).range, i % 2 ? 'ProtectDevices=yes' : 'ProtectDevices=no')), 'edit failed');
  }
  await waitFor('the killed server to be gone', () => (alive(victim) ? undefined : true), { timeoutMs: 10_000 });
  const reborn = await waitForServerPid('a new language server process after the kill', victim);
  await waitFor('the client to run again', () => (api.serverState() === 'running' ? true : undefined), { timeoutMs: 20_000, describe: () => api.serverState() });
  expectEqual(api.crashRestarts(), restartsBefore + 1, 'automatic restarts counted by the extension');
  // The new server sees the document and edits to it: fix the typo, add another, wait for exactly that.
  expect(await editor.edit((b) => b.replace(doc.lineAt(2).range, 'SystemCallArchitecture=native')), 'edit failed');
  await waitForDiagnostics(uri, 'the new typo from the restarted server', (d) => summary(d).join() === `2:${MISSPELLED}` && d[0]!.message.includes('SystemCallArchitectures='));
  const hovers = await waitFor('a hover from the restarted server', async () => {
    const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 2));
    return hs.length > 0 ? hs : undefined;
  });
  expect(hoverText(hovers[0]!).startsWith('**ExecStart=**'), 'hover after the crash', hovers.map(hoverText));
  // One restart, not a crash loop: still the same single process.
  expectEqual(serverPids(), [reborn], 'server processes at the end');
}, 60_000);

check('crash loop: after the fifth crash in three minutes the client gives up, and unitHarden.restartServer brings the server back', async () => {
  const api = await extensionApi();
  const uri = writeFile('crashloop.service', '[Service]\nExecStart=/bin/true\n');
  const doc = await open(uri);
  // The command resets the crash count, so exactly four more crashes are restarted.
  await vscode.commands.executeCommand('unitHarden.restartServer');
  let pid = await waitForServerPid('one language server process after the restart command');
  const restartsBefore = api.crashRestarts();
  for (let i = 1; i <= 4; i++) {
    process.kill(pid, 'SIGKILL');
    pid = await waitForServerPid(`a new server process after crash ${i}`, pid);
    await waitFor(`the client to run again after crash ${i}`, () => (api.serverState() === 'running' ? true : undefined), { describe: () => api.serverState() });
  }
  expectEqual(api.crashRestarts(), restartsBefore + 4, 'automatic restarts');
  process.kill(pid, 'SIGKILL');
  await waitFor('the client to give up after crash 5', () => (api.serverState() === 'stopped' ? true : undefined), { describe: () => api.serverState() });
  await waitFor('the killed server to be gone', () => (alive(pid) ? undefined : true), { timeoutMs: 10_000 });
  expectEqual(serverPids(), [], 'server processes after giving up');
  expectEqual(api.crashRestarts(), restartsBefore + 4, 'automatic restarts after giving up');
  // The restart command works from the stopped state too.
  await vscode.commands.executeCommand('unitHarden.restartServer');
  expectEqual(api.serverState(), 'running', 'client state after the restart command');
  await waitForServerPid('a server process after the restart command', pid);
  const editor = await vscode.window.showTextDocument(doc);
  expect(await editor.edit((b) => b.insert(new vscode.Position(2, 0), 'ProtectDevices=yes\n')), 'edit failed');
  await waitForDiagnostics(uri, 'the typo from the server started by the command', (d) => summary(d).join() === `2:${MISSPELLED}`);
}, 90_000);

check('a drop-in override.conf is linted on its own', async () => {
  const uri = writeFile('db.service.d/override.conf', '[Service]\nProtectDevices=yes\n');
  const doc = await open(uri);
  expectEqual(doc.languageId, LANGUAGE_ID, 'language id of the drop-in');
  const ds = await waitForDiagnostics(uri, 'the drop-in typo', (d) => d.length > 0);
  expectEqual(summary(ds), [`1:${MISSPELLED}`], 'diagnostics of the drop-in');
});

check('command: unitHarden.showPreview opens the seccomp preview beside the unit and follows edits', async () => {
  const uri = copyExample('resolver.service', 'preview');
  const doc = await open(uri);
  const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('unitHarden.showPreview', uri);
  expect(panel, 'the command returned no panel');
  const tab = await waitFor('the preview tab', () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('unitHarden.preview')),
  );
  expectEqual(tab.label, 'Seccomp: resolver.service', 'label of the preview tab');
  const bars = (): number => panel.webview.html.match(/class="bar slot /g)?.length ?? 0;
  const first = await waitFor('the planned filters in the preview', () => (bars() > 0 ? bars() : undefined), { timeoutMs: 20_000, describe: () => panel.webview.html.slice(0, 2000) });
  expectEqual(first, 31, 'bars for resolver.service on debian-12');
  expect(panel.webview.html.includes('<div class="lane" data-abi="x86-64">'), 'no x86-64 lane', panel.webview.html.slice(0, 2000));
  // Running it again reveals the same panel instead of opening a second one.
  const again = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('unitHarden.showPreview', uri);
  expect(again === panel, 'a second panel for the same unit');
  // LockPersonality=no drops its filter; the preview follows the edit.
  const editor = await vscode.window.showTextDocument(doc);
  const line = lineOf(doc.getText(), 'LockPersonality=');
  expect(await editor.edit((b) => b.replace(doc.lineAt(line).range, 'LockPersonality=no')), 'edit failed');
  await waitFor('the preview after the edit', () => (bars() === first - 1 ? true : undefined), { timeoutMs: 20_000, describe: () => bars() });
  // What the page saves for a reload: the unit's URI, on the body for the page's script (which calls setState).
  expectEqual(/<body data-uri="([^"]*)">/.exec(panel.webview.html)?.[1], htmlEscape(uri.toString()), 'the URI the preview page keeps in its state');
  panel.dispose();
});

function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

check('preview serializer: a panel restored after a reload is bound to its unit again and stays live; a vanished unit gets a message', async () => {
  // A window reload would end this extension host and the test run with it, so call the
  // serializer the extension registered for its view type exactly as VS Code does after a reload:
  // with a fresh panel of that view type and the state the page saved with setState.
  const api = await extensionApi();
  const uri = copyExample('resolver.service', 'restore');
  const doc = await open(uri);
  const revive = async (state: unknown): Promise<vscode.WebviewPanel> => {
    const panel = vscode.window.createWebviewPanel('unitHarden.preview', 'Seccomp (restoring)', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    await api.previewSerializer.deserializeWebviewPanel(panel, state);
    return panel;
  };
  const panel = await revive({ uri: uri.toString(), open: [3] });
  expectEqual(panel.title, 'Seccomp: resolver.service', 'title of the restored panel');
  expect(api.previewUris().includes(uri.toString()), 'the restored panel is not a live preview', api.previewUris());
  const bars = (): number => panel.webview.html.match(/class="bar slot /g)?.length ?? 0;
  await waitFor('the planned filters in the restored preview', () => (bars() === 31 ? true : undefined), { timeoutMs: 20_000, describe: () => [bars(), panel.webview.html.slice(0, 1500)] });
  expect(panel.webview.html.includes(`data-uri="${htmlEscape(uri.toString())}"`), 'the restored page keeps the URI for the next reload');
  // It follows edits, as a panel opened by the command does.
  const editor = await vscode.window.showTextDocument(doc);
  const line = lineOf(doc.getText(), 'LockPersonality=');
  expect(await editor.edit((b) => b.replace(doc.lineAt(line).range, 'LockPersonality=no')), 'edit failed');
  await waitFor('the restored preview after the edit', () => (bars() === 30 ? true : undefined), { timeoutMs: 20_000, describe: () => bars() });
  // The command now reveals the restored panel instead of opening a second one.
  const again = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('unitHarden.showPreview', uri);
  expect(again === panel, 'the command opened a second panel next to the restored one');

  // The unit was deleted before the reload: the panel says so and is not live.
  const goneUri = writeFile('restore/gone.service', '[Service]\nExecStart=/bin/true\n');
  fs.rmSync(goneUri.fsPath);
  const gone = await revive({ uri: goneUri.toString(), open: [] });
  expectEqual(gone.title, 'Seccomp: gone.service', 'title of the panel of a deleted unit');
  expect(gone.webview.html.includes('gone.service no longer exists'), 'no "no longer exists" message', gone.webview.html.slice(0, 1500));
  expect(gone.webview.html.includes(`data-uri="${htmlEscape(goneUri.toString())}"`), 'the message page keeps the URI');
  expect(!api.previewUris().includes(goneUri.toString()), 'the panel of a deleted unit must not be live', api.previewUris());
  // No state at all (the page never ran its script): a message, not an exception.
  const blank = await revive(undefined);
  expect(blank.webview.html.includes('cannot be restored'), 'no "cannot be restored" message', blank.webview.html.slice(0, 1500));
  for (const p of [panel, gone, blank]) p.dispose();
  expect(!api.previewUris().includes(uri.toString()), 'the disposed panel is still live', api.previewUris());
}, 60_000);

/** Printed once at the end, so failures come with the context a reader needs. */
export function environmentSummary(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  return show({
    vscode: vscode.version,
    extensionPath: ext?.extensionPath,
    repo: REPO_ROOT,
    workspace: vscode.workspace.workspaceFolders?.map((f) => f.uri.toString()),
    node: process.version,
    examples: fs.readdirSync(path.join(REPO_ROOT, 'examples')),
  });
}

/** The engine, as compiled in the repository, to compute what the editor must show. */
function enginePlan(text: string): { filters: number; insns: number } {
  const out = path.join(REPO_ROOT, 'out', 'server', 'src');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadUnit } = require(path.join(out, 'model', 'unit.js')) as { loadUnit: typeof LoadUnit };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planFilters } = require(path.join(out, 'seccomp', 'planner.js')) as { planFilters: typeof PlanFilters };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTarget } = require(path.join(out, 'seccomp', 'target.js')) as { resolveTarget: typeof ResolveTarget };
  const plan = planFilters(loadUnit('/e2e/unit.service', text), resolveTarget({ preset: 'debian-12' }).target!);
  return { filters: plan.filters.length, insns: plan.filters.reduce((n, f) => n + (f.instructions ?? 0), 0) };
}

check('seccomp: code lens, hover and the native quick fix show the engine numbers, and the fix changes them by exactly that', async () => {
  const without = exampleText('resolver.service').replace('SystemCallArchitectures=native\n', '');
  const uri = writeFile('nonative.service', without);
  const doc = await open(uri);
  const before = enginePlan(without);
  const after = enginePlan(without.replace('[Install]', 'SystemCallArchitectures=native\n\n[Install]'));
  const lensTitle = async (): Promise<string | undefined> => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return lenses.find((l) => l.command?.title.includes('seccomp filters'))?.command?.title;
  };
  const lens = await waitFor('the code lens', async () => {
    const t = await lensTitle();
    return t?.startsWith(`${before.filters} seccomp filters · ${before.insns} BPF insns`) ? t : undefined;
  });
  expect(lens.includes(`native saves ${before.filters - after.filters} filters, ${before.insns - after.insns} insns`), 'the lens states what native saves', lens);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(lineOf(without, 'SystemCallFilter='), 3));
  const own = hovers.map(hoverText).find((t) => t.startsWith('**SystemCallFilter=**'));
  expect(own?.includes(`filters in the chain`), 'the SystemCallFilter= hover lists its filters', own);
  const ds = await waitForDiagnostics(uri, 'missing-native-architectures', (d) => d.some((x) => codeOf(x) === 'missing-native-architectures'));
  const diag = ds.find((x) => codeOf(x) === 'missing-native-architectures')!;
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, diag.range);
  const title = `Add SystemCallArchitectures=native (−${before.filters - after.filters} filters, −${before.insns - after.insns} BPF insns)`;
  const fix = actions.find((a): a is vscode.CodeAction => a.title === title);
  expect(fix?.edit, `no "${title}" action`, actions.map((a) => a.title));
  expect(await vscode.workspace.applyEdit(fix.edit), 'applyEdit returned false');
  expect(doc.getText().includes('SystemCallArchitectures=native'), 'the edit adds the line', doc.getText());
  await waitFor('the lens to show the new numbers', async () => {
    const t = await lensTitle();
    return t?.startsWith(`${after.filters} seccomp filters · ${after.insns} BPF insns`) ? t : undefined;
  });
});
