#!/usr/bin/env node
// Entry point of the `unit-harden` command: runs the bundled CLI (build it with `npm run build`).
// `lsp --stdio` loads only the server bundle (what `unit-harden lsp` runs anyway), so the server
// process does not also load and compile the CLI's copy of the engine.
'use strict';
const args = process.argv.slice(2);
if (args[0] === 'lsp' && args.includes('--stdio')) require('../dist/server.js');
else require('../dist/cli.js').main();
