/**
 * The VS Code extension: starts the bundled language server over IPC for systemd unit files and
 * restarts it on request, and hosts the seccomp preview panels (preview/), which survive a window
 * reload through a webview panel serializer. No language logic lives here.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CLIENT_ID, CLIENT_NAME, COMMAND_PREVIEW, COMMAND_RESTART, CONFIG_SECTION, LANGUAGE_ID, PREVIEW_VIEW_TYPE } from './constants';
import { PreviewPanels } from './preview/panel';

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
}

let client: LanguageClient | undefined;

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
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
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<UnitHardenApi> {
  client = createClient(context);
  const previews = new PreviewPanels(() => client);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_RESTART, async () => {
      if (client) await client.restart();
    }),
    previews,
    // Registered before the server starts, so a reload restores the panels at once (they wait for the server).
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, previews),
    // The code lens passes the unit's URI; from the palette or the editor title it is the active editor's.
    vscode.commands.registerCommand(COMMAND_PREVIEW, (uri?: unknown) => previews.show(uri)),
  );
  await client.start();
  return { previewSerializer: previews, previewUris: () => previews.uris };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
