#!/usr/bin/env node
// Entry point of the `unit-harden` command: runs the bundled CLI (build it with `npm run build`).
'use strict';
require('../dist/cli.js').main();
