import { TEST_BFF_ENV } from '@tierscope/test-support/console-session';
import { spawnTier, type TierProcess } from '@tierscope/test-support/processes';

/** The process helpers the BFF's tests over real tiers use; shared with the node's tests. */
export { freePort, spawnTier, waitFor, waitReady, type TierProcess } from '@tierscope/test-support/processes';
export {
  fetchAs,
  fetchWithHeaders,
  loginToConsole,
  type ConsoleSession,
} from '@tierscope/test-support/console-session';

/** A BFF process with its own database in memory and the test admin (log in with loginToConsole). */
export function spawnBff(env: Record<string, string>): Promise<TierProcess> {
  return spawnTier('bff', 'apps/bff/src/main.ts', { ...TEST_BFF_ENV, ...env });
}
