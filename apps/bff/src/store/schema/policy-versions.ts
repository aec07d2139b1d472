// The table of PolicyBook's store, defined once in packages/federation.
export { policyVersions } from '@tierscope/federation/policy-version-table';
