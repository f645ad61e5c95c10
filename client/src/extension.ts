/**
 * The VS Code extension: starts the bundled language server over IPC for systemd unit files,
 * restarts it when it crashes (restartPolicy.ts; the user is told once) or on request, shows its
 * state as a language status item, and hosts the seccomp preview panels (preview/), which survive
 * a window reload through a webview panel serializer. No language logic lives here.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CLIENT_ID, CLIENT_NAME, COMMAND_PREVIEW, COMMAND_RESTART, CONFIG_SECTION, LANGUAGE_ID, PREVIEW_VIEW_TYPE, SERVER_EXEC_ARGV } from './constants';
import { PreviewPanels } from './preview/panel';
import { RestartPolicy } from './restartPolicy';

/**
 * What `activate` returns (`vscode.extensions.getExtension(id).exports`): read-only views for
 * tests and other extensions. The e2e suite drives the preview serializer through it, as VS Code
 * would after a window reload.
 */
export interface UnitHardenApi {
  /** The serializer registered for the preview panels' view type. */
  readonly previewSerializer: vscode.WebviewPanelSerializer;
  /** URIs of the open, live preview panels. */
  previewUris(): string[];
  /** The language client's state: "starting", "running" or "stopped". */
  serverState(): 'starting' | 'running' | 'stopped';
  /** How often the server was restarted after it went away on its own since activation. */
  crashRestarts(): number;
}

let client: LanguageClient | undefined;

function stateName(s: State): 'starting' | 'running' | 'stopped' {
  return s === State.Running ? 'running' : s === State.Starting ? 'starting' : 'stopped';
}

/** Restarts a crashed server (RestartPolicy), tells the user once, and gives up with a Restart button after too many crashes. */
function crashHandler(policy: RestartPolicy, output: vscode.OutputChannel, onRestart: () => void): ErrorHandler {
  return {
    // Never shut down on a transport error. A killed server shows up first as `write EPIPE` errors
    // (without a count) and only then as the closed connection; vscode-languageclient's default
    // answers those errors with Shutdown, the client is then "stopping" when the close arrives,
    // and a stopping client is never restarted. The close (below) decides instead.
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: () => {
      const d = policy.onCrash(Date.now());
      if (d.action === 'give-up') {
        const message = `The ${CLIENT_NAME} language server stopped unexpectedly ${d.crashes} times within ${policy.windowMs / 60_000} minutes; it will not be restarted automatically.`;
        void vscode.window.showErrorMessage(`${message} Use "Unit Harden: Restart the language server" to try again.`, 'Restart', 'Show Output').then((choice) => {
          if (choice === 'Restart') void vscode.commands.executeCommand(COMMAND_RESTART);
          else if (choice === 'Show Output') output.show(true);
        });
        return { action: CloseAction.DoNotRestart, message, handled: true };
      }
      onRestart();
      if (d.notify) {
        void vscode.window
          .showWarningMessage(`The ${CLIENT_NAME} language server stopped unexpectedly and was restarted.`, 'Show Output')
          .then((choice) => (choice === 'Show Output' ? output.show(true) : undefined));
      }
      return { action: CloseAction.Restart, message: `The ${CLIENT_NAME} language server stopped unexpectedly (${d.crashes} in ${policy.windowMs / 60_000} minutes); restarting it.`, handled: true };
    },
  };
}

function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, errorHandler: ErrorHandler): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
      { language: LANGUAGE_ID, scheme: 'vscode-remote' },
    ],
    synchronize: { configurationSection: CONFIG_SECTION },
    initializationOptions: { settings: vscode.workspace.getConfiguration(CONFIG_SECTION) },
    outputChannel: output,
    errorHandler,
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

/** A language status item (shown with systemd unit files): the server's state, and Restart. */
function statusItem(): { item: vscode.LanguageStatusItem; update(s: State): void } {
  const item = vscode.languages.createLanguageStatusItem('unitHarden.server', { language: LANGUAGE_ID });
  item.name = `${CLIENT_NAME} language server`;
  item.command = { title: 'Restart', command: COMMAND_RESTART, tooltip: 'Restart the Unit Harden language server' };
  const update = (s: State): void => {
    item.busy = s === State.Starting;
    item.severity = s === State.Stopped ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    item.text = s === State.Running ? 'Unit Harden' : s === State.Starting ? 'Unit Harden: starting' : 'Unit Harden: server stopped';
  };
  update(State.Stopped);
  return { item, update };
}

export async function activate(context: vscode.ExtensionContext): Promise<UnitHardenApi> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME);
  const policy = new RestartPolicy();
  let restarts = 0;
  const c = createClient(context, output, crashHandler(policy, output, () => restarts++));
  client = c;
  const previews = new PreviewPanels(() => client);
  const status = statusItem();
  context.subscriptions.push(
    output,
    status.item,
    c.onDidChangeState((e) => {
      status.update(e.newState);
      // A restarted server has not seen the previews' requests that failed while it was away.
      if (e.newState === State.Running) previews.refreshAll();
    }),
    vscode.commands.registerCommand(COMMAND_RESTART, () => restartServer(c, policy, output)),
    previews,
    // Registered before the server starts, so a reload restores the panels at once (they wait for the server).
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, previews),
    // The code lens passes the unit's URI; from the palette or the editor title it is the active editor's.
    vscode.commands.registerCommand(COMMAND_PREVIEW, (uri?: unknown) => previews.show(uri)),
  );
  await c.start();
  return {
    previewSerializer: previews,
    previewUris: () => previews.uris,
    serverState: () => stateName(c.state),
    crashRestarts: () => restarts,
  };
}

/** The restart command: works whether the server is running, still starting, or stopped (crashed too often, failed to start). */
async function restartServer(c: LanguageClient, policy: RestartPolicy, output: vscode.OutputChannel): Promise<void> {
  policy.reset();
  try {
    if (c.state === State.Starting) await c.start().catch(() => undefined);
    if (c.state === State.Running) await c.restart();
    else await c.start();
    output.appendLine(`[Info  - ${new Date().toLocaleTimeString()}] The language server was restarted on request.`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`[Error - ${new Date().toLocaleTimeString()}] Restarting the language server failed: ${message}`);
    void vscode.window.showErrorMessage(`${CLIENT_NAME}: restarting the language server failed: ${message}`);
  }
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.needsStop()) await c.stop().catch(() => undefined);
}
