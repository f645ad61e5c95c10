/**
 * V8 sized for a small, long-lived process however the server is started. The VS Code client
 * starts it with SERVER_EXEC_ARGV (client/src/constants.ts: `--optimize-for-size
 * --max-semi-space-size=1 --lite-mode --no-expose-wasm`), but `unit-harden lsp --stdio` (Neovim,
 * Helix, Emacs...) loads this bundle in a plain `node` process, whose young generation grows to
 * 32 MB, whose old generation grows fast during a burst of validations, and which compiles hot
 * functions with TurboFan: a third more resident memory.
 *
 * Why `v8.setFlagsFromString` here, the first module the server bundle evaluates:
 * - Node cannot exec(2) in place: re-spawning itself with the options would leave the first
 *   process (about 40 MB) resident next to the server for the server's whole life.
 * - A shebang (`#!/usr/bin/env -S node --optimize-for-size`) is bypassed by
 *   `node bin/unit-harden.js lsp --stdio`, needs `env -S`, is rewritten by npm's Windows shims,
 *   and would apply to every CLI command too.
 * - Not every flag takes effect after start-up, so each one here was checked on a running
 *   server (test/unit/serverLifecycle.test.ts checks the result on `unit-harden lsp --stdio`):
 *   `--max-semi-space-size` is read once, when the heap is configured, and does nothing later.
 *   `--semi-space-growth-factor=1` is read each time V8 would grow the young generation, so it
 *   stays at its initial 1 MB semi-space: the 2 MB new space `--max-semi-space-size=1` gives.
 *   `--optimize-for-size` is read at each heap-sizing decision (Heap::ShouldOptimizeForMemoryUsage,
 *   the switch V8 itself turns on at run time under memory pressure or for background isolates):
 *   conservative old-generation growth and memory-reducing full GCs, as on the command line.
 *   `--no-opt` (the long-standing name of `--no-turbofan`) is read each time V8 considers
 *   optimising a hot function, so none is compiled by TurboFan from here on; Sparkplug's baseline
 *   code remains. `--lite-mode` and `--jitless`, which VS Code's start uses, are not safe to
 *   switch on in a running isolate; `--no-opt` is the part of them that is (with the corpus open
 *   after a burst: about 65 MB instead of 81 MB resident, validation as fast).
 *   None of these changes what the program computes, only how V8 runs and sizes it.
 * Under VS Code's start none changes anything: `--optimize-for-size` is already on, a 1 MB
 * maximum semi-space cannot grow past its initial 1 MB, and lite mode compiles nothing.
 */

import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--optimize-for-size --semi-space-growth-factor=1 --no-opt');
