import { ScopePattern, UserScope } from '@tierscope/shared/schemas';

/**
 * A scope as typed in a form: patterns separated by commas, spaces or new lines; empty is the
 * whole tree. Returns the patterns, or the first problem in words.
 */
export function parseScopeText(text: string): { scope: string[] } | { problem: string } {
  const patterns = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (patterns.length === 0) return { scope: ['**'] };
  const bad = patterns.find((pattern) => !ScopePattern.safeParse(pattern).success);
  if (bad !== undefined)
    return { problem: `"${bad}" is not a scope: use **, or a node path such as district-1 or district-1/**` };
  const checked = UserScope.safeParse(patterns);
  if (!checked.success) return { problem: 'At most 32 patterns.' };
  return { scope: checked.data };
}

/** The scope as the form shows it; the whole tree is `**`. */
export function formatScope(scope: readonly string[]): string {
  return scope.join(', ');
}

/** "Every node", or the subtrees, for tables. */
export function describeScope(scope: readonly string[]): string {
  return scope.includes('**') ? 'Every node' : scope.join(', ');
}
