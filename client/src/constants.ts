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
