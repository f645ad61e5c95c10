/**
 * File access shared by the CLI commands: reading unit files and drop-ins from disk with a size
 * cap, finding the lines systemd would reject as invalid UTF-8, and the usage-error type whose
 * message is printed as is with exit status 2.
 */

import * as fs from 'node:fs';
import type { FileReader } from '../model/unit';

/** Thrown for usage errors and unreadable input; the message is printed as is and the exit code is 2. */
export class UsageError extends Error {}

/** Largest file the CLI reads; bigger inputs are reported instead of read. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Decodes UTF-8 and finds the lines whose bytes are not valid UTF-8 (systemd ignores those lines). */
export function decode(bytes: Buffer): { text: string; invalidLines: Set<number> } {
  const text = bytes.toString('utf8');
  const invalidLines = new Set<number>();
  if (text.includes('\uFFFD')) {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          strict.decode(bytes.subarray(start, i));
        } catch {
          invalidLines.add(line);
        }
        line++;
        start = i + 1;
      }
    }
  }
  return { text, invalidLines };
}

/** Drop-ins from disk: regular files up to MAX_FILE_BYTES. */
export const diskReader: FileReader = {
  listDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return undefined;
    }
  },
  readFile(file) {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
      return decode(fs.readFileSync(file)).text;
    } catch {
      return undefined;
    }
  },
};

/** Reads one input file, with errors that name it. */
export function readInput(file: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`unit-harden: cannot read ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`unit-harden: ${file} is a directory`);
  if (st.size > MAX_FILE_BYTES) throw new UsageError(`unit-harden: ${file} is too large (${st.size} bytes; the limit is ${MAX_FILE_BYTES}): not a unit file?`);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`unit-harden: cannot read ${file}: ${(err as Error).message}`);
  }
}
