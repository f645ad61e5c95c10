/**
 * What a seccomp preview panel persists across window reloads, and how a restored panel finds its
 * unit again. The webview script (html.ts) keeps `{ uri, open }` in its state with
 * `vscode.setState`; VS Code hands that state to the panel serializer after a reload. Pure (no VS
 * Code API): the decision is a function of the state and of whether the unit still exists, so
 * a plain node:test checks it.
 */

/** The webview state of a preview panel, as the page's script saves it. */
export interface PreviewState {
  /** The previewed unit's URI (`vscode.Uri.toString()`). */
  readonly uri: string;
  /** Indexes of the filter rows the user expanded. */
  readonly open?: readonly number[];
}

/** The unit URI in a restored panel's state, or undefined when the state is missing or malformed. */
export function uriOfState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const uri = (state as { uri?: unknown }).uri;
  return typeof uri === 'string' && uri.length > 0 ? uri : undefined;
}

/** Last path segment of a URI string, for titles and messages (`untitled:Untitled-1` too). */
export function baseNameOf(uri: string): string {
  const noQuery = uri.replace(/[?#].*$/, '');
  const last = noQuery.slice(noQuery.lastIndexOf('/') + 1);
  const name = last.includes(':') && !noQuery.includes('/') ? last.slice(last.indexOf(':') + 1) : last;
  try {
    return decodeURIComponent(name) || uri;
  } catch {
    return name || uri;
  }
}

/** The outcome of restoring a panel: bind it to `uri` again, or show `message` instead of a plan. */
export type RestorePlan = { readonly kind: 'attach'; readonly uri: string } | { readonly kind: 'message'; readonly uri?: string; readonly title: string; readonly message: string };

/**
 * Decides what a panel restored with `state` shows. `exists` tells whether the unit can still be
 * opened (a file on disk, an untitled document still open); it is only asked for a well-formed state.
 */
export async function planRestore(state: unknown, exists: (uri: string) => Promise<boolean>): Promise<RestorePlan> {
  const uri = uriOfState(state);
  if (uri === undefined) {
    return {
      kind: 'message',
      title: 'Seccomp preview',
      message: 'This seccomp preview cannot be restored: it does not say which unit it showed. Close it and run "Unit Harden: Preview seccomp filters" on the unit again.',
    };
  }
  let found = false;
  try {
    found = await exists(uri);
  } catch {
    found = false;
  }
  if (found) return { kind: 'attach', uri };
  const name = baseNameOf(uri);
  return {
    kind: 'message',
    uri,
    title: `Seccomp: ${name}`,
    message: `${name} no longer exists (${uri}), so there is nothing to preview. Close this panel, or restore the file and run "Unit Harden: Preview seccomp filters" again.`,
  };
}
