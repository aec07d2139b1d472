import { queryOptions } from '@tanstack/react-query';
import type { PreviewRuleInput } from '@tierscope/shared/schemas';
import { api } from '../../lib/trpc.ts';

/** The policy the BFF authors for the whole fleet: the console asks with no node path. */
export const policyStatusQueryOptions = () =>
  queryOptions({
    queryKey: ['policy.status'],
    queryFn: ({ signal }) => api.policy.status.query({}, { signal }),
  });

export const policyVersionsQueryOptions = () =>
  queryOptions({
    queryKey: ['policy.versions'],
    queryFn: ({ signal }) => api.policy.versions.query({}, { signal }),
  });

/** A version with its content; versions are immutable, so one fetch is enough. */
export const policyVersionQueryOptions = (version: number) =>
  queryOptions({
    queryKey: ['policy.version', version],
    queryFn: ({ signal }) => api.policy.version.query({ version }, { signal }),
    staleTime: Infinity,
  });

/** A rule's replay over stored history; it answers for the one rule as it was when asked. */
export const rulePreviewQueryOptions = (input: PreviewRuleInput) =>
  queryOptions({
    queryKey: ['rules.preview', input],
    queryFn: ({ signal }) => api.rules.preview.query(input, { signal }),
    staleTime: Infinity,
    retry: false,
  });

/** Every query a publish or rollback changes. */
export const POLICY_QUERY_KEYS = [
  policyStatusQueryOptions().queryKey,
  policyVersionsQueryOptions().queryKey,
] as const;
