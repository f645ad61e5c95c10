/**
 * When to restart a language server that went away on its own (crashed, was killed): the policy
 * of vscode-languageclient's default handler made explicit and testable. Restart after each
 * crash, unless it is the (max+1)th crash within the window, then give up until the user restarts
 * it. Only the first restart of a session is worth a notification; later ones go to the log.
 * Pure (no VS Code API).
 */

export type CrashDecision =
  /** Restart the server; `notify` is true only for the first crash since the policy was created or reset. */
  | { readonly action: 'restart'; readonly notify: boolean; readonly crashes: number }
  /** Too many crashes in the window: leave the server stopped. */
  | { readonly action: 'give-up'; readonly crashes: number };

export class RestartPolicy {
  private crashes: number[] = [];
  private notified = false;

  /**
   * @param maxRestarts restarts allowed within `windowMs` (vscode-languageclient's default is 4)
   * @param windowMs the window, 3 minutes like vscode-languageclient's
   */
  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Records a crash at `now` (ms) and decides what to do. */
  onCrash(now: number): CrashDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    const crashes = this.crashes.length;
    if (crashes > this.maxRestarts) return { action: 'give-up', crashes };
    const notify = !this.notified;
    this.notified = true;
    return { action: 'restart', notify, crashes };
  }

  /** A restart the user asked for starts the count afresh (and may notify again). */
  reset(): void {
    this.crashes = [];
    this.notified = false;
  }
}
