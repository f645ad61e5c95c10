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
 * Node options of the server process VS Code starts: V8 sized for a small, long-lived process
 * (a 1 MB young generation, size over speed). With the whole systemd corpus open this halves the
 * resident memory while hover, completion and validation latency stay the same (BENCHMARKS.md
 * measures the server both with these options and as `unit-harden lsp --stdio` starts it).
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--optimize-for-size', '--max-semi-space-size=1'];
