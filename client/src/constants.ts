/**
 * Identifiers the client shares with package.json (a unit test checks they agree).
 */

export const LANGUAGE_ID = 'systemd-unit';
export const CLIENT_ID = 'unitHarden';
export const CLIENT_NAME = 'Unit Harden';
export const CONFIG_SECTION = 'unitHarden';
export const COMMAND_RESTART = 'unitHarden.restartServer';
export const COMMAND_PREVIEW = 'unitHarden.showPreview';
/** Webview panel type of the seccomp preview. */
export const PREVIEW_VIEW_TYPE = 'unitHarden.preview';
/** The server's custom request behind the preview (server/src/server.ts PREVIEW_REQUEST). */
export const PREVIEW_REQUEST = 'unitHarden/preview';
/**
 * Node options of the server process VS Code starts: V8 sized for a small, long-lived process.
 * - `--optimize-for-size --max-semi-space-size=1`: a 1 MB young generation and conservative heap
 *   growth (half the resident memory with the whole systemd corpus open).
 * - `--lite-mode`: V8's interpreter only, no compiled machine code and its compiler memory (about
 *   10 MB less resident with the corpus open). The server's requests are small (hover, completion,
 *   a unit's validation), and BENCHMARKS.md measures their latency with these options: the same
 *   as with the compilers. `--no-expose-wasm` says what lite mode implies anyway (no WebAssembly,
 *   which the server does not use); without it V8 prints a warning on every start.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--optimize-for-size', '--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm'];
