/**
 * Entry point of the language server process: creates the connection (IPC when started by the
 * VS Code client, stdio with `--stdio`), routes console output to the client and starts the server.
 */

import './v8Settings';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// Anything written with console.* goes to the client's output channel, never to stdout (which may be the LSP stream).
console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
console.info = console.log;
console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
process.on('uncaughtException', (err) => connection.console.error(`Uncaught exception: ${err.stack ?? String(err)}`));
process.on('unhandledRejection', (err) => connection.console.error(`Unhandled rejection: ${String(err)}`));
startServer(connection);
