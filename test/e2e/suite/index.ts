/**
 * Entry point VS Code loads as `extensionTestsPath`: runs every check in checks.ts inside the
 * extension host and rejects when one fails, which makes VS Code exit with a non-zero code.
 */

import { environmentSummary } from './checks';
import { runChecks } from './harness';

export async function run(): Promise<void> {
  const results = await runChecks();
  const failed = results.filter((r) => !r.ok);
  if (results.length === 0) throw new Error('no e2e check ran (UNIT_HARDEN_E2E_GREP matches nothing?)');
  if (failed.length > 0) {
    console.log(`[e2e] environment: ${environmentSummary()}`);
    throw new Error(`${failed.length} of ${results.length} e2e checks failed: ${failed.map((f) => f.name).join('; ')}`);
  }
}
