/**
 * Finding an external command the tests need (gcc, debootstrap, unshare…), the way a shell would,
 * plus the system directories a root-run CI may not have on PATH.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The executable `cmd` on PATH or in /usr/sbin, /usr/bin, /sbin, /bin; undefined if none. */
export function findCommand(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] || '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next directory */
    }
  }
  return undefined;
}
