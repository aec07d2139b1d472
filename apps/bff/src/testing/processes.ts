/** The process helpers the BFF's tests over real tiers use; shared with the node's tests. */
export { freePort, spawnTier, waitFor, waitReady, type TierProcess } from '@tierscope/test-support/processes';
