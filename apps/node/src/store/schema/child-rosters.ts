// The tables of ChildRosters and the job selectors, defined once in packages/federation.
export { childRosters, commandJobSelectors } from '@tierscope/federation/child-roster-tables';
