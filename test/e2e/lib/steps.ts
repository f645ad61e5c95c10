/**
 * Small utilities for the Node-side runners: named steps with timings and timeouts (a failure
 * says which step broke), polling, free ports, and the CI/skip policy.
 */

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export { waitFor } from '../suite/harness';

/** The repository root, from out/test/e2e/lib/ (where this file is compiled to). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** Under CI every real-client test must run; elsewhere a missing component skips with a reason. */
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(`step "${step}" failed: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

export class SkipError extends Error {}

let current = '(none)';
export function currentStep(): string {
  return current;
}

/** Runs `fn` as a named step with a timeout; logs its duration. */
export async function step<T>(name: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const previous = current;
  current = name;
  const start = Date.now();
  log(`▶ ${name}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    log(`✔ ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    current = previous;
    return result;
  } catch (err) {
    if (err instanceof StepError || err instanceof SkipError) throw err;
    throw new StepError(name, err);
  } finally {
    clearTimeout(timer);
  }
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${t}] ${message}`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Where failure artifacts (logs, screenshots) go: test-results/ is git-ignored. */
export function artifactsDir(name: string): string {
  const dir = path.join(REPO_ROOT, 'test-results', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Throws SkipError outside CI and a plain error under CI. */
export function requireComponent(ok: boolean, reason: string): void {
  if (ok) return;
  if (IN_CI) throw new Error(`${reason} (CI=true: real-client tests must not skip)`);
  throw new SkipError(reason);
}
