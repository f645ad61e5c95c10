/**
 * Identifiers the client shares with package.json (a unit test checks they agree).
 */

export const LANGUAGE_ID = 'systemd-unit';
export const CLIENT_ID = 'unitHarden';
export const CLIENT_NAME = 'Unit Harden';
export const CONFIG_SECTION = 'unitHarden';
export const COMMAND_RESTART = 'unitHarden.restartServer';
