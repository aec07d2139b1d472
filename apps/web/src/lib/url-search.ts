/**
 * The URL's query string as plain `key=value` pairs, so shared links read like
 * `/devices?status=offline&node=district-1/probe-a` (the router's default writes JSON).
 * Each route's `validateSearch` then turns these strings into typed, checked values.
 */
export function parsePlainSearch(search: string): Record<string, string> {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  return Object.fromEntries(params.entries());
}

/** Leaves out empty values, so a cleared filter disappears from the URL. */
export function stringifyPlainSearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const text = params.toString().replaceAll('%2F', '/');
  return text ? `?${text}` : '';
}

/**
 * A route's `validateSearch`: keeps only the route's own keys with string values. Pages parse
 * and check the values themselves (features' `*-search.ts`), so the router needs no schemas.
 */
export function searchKeys<const Key extends string>(
  keys: readonly Key[],
): (search: Record<string, unknown>) => Partial<Record<Key, string>> {
  return (search) => {
    const picked: Partial<Record<Key, string>> = {};
    for (const key of keys) {
      const value = search[key];
      if (typeof value === 'string' && value !== '') picked[key] = value;
    }
    return picked;
  };
}
