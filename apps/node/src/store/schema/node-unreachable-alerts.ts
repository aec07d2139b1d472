// The tables of NodeUnreachableAlerts' store, defined once in packages/federation.
export { nodeUnreachableChanges, nodeUnreachableOpen } from '@tierscope/federation/unreachable-alert-tables';
