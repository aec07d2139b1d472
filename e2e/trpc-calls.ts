// What the browser asked the BFF's tRPC API, read off the wire: which inputs a procedure was called
// with and which items its pages brought back. The console batches queries
// (`/trpc/a,b?batch=1&input={"0":…,"1":…}`) and streams the answers back as JSON lines (tRPC's
// httpBatchStreamLink): a head line mapping each call to a chunk, then one line per settled call.
// Chromium keeps no body of a streamed answer, so the calls are routed through the test, which
// reads each answer whole before handing it to the page.
import type { Page } from '@playwright/test';

export interface TrpcCall {
  input: Record<string, unknown>;
  /** The page's items, or undefined when the call failed or did not answer a page. */
  items: { nodePath: string }[] | undefined;
}

export interface TrpcCallLog {
  /** Stops recording (the page's later calls go straight to the server); every call answered so far. */
  stop(): Promise<TrpcCall[]>;
}

/** Starts recording the browser's calls to `procedure` (e.g. `devices.list`) on `page`. */
export async function recordTrpcCalls(page: Page, procedure: string): Promise<TrpcCallLog> {
  const calls: TrpcCall[] = [];
  const namesOf = (url: URL) => url.pathname.slice('/trpc/'.length).split(',');
  const matches = (url: URL) => url.pathname.startsWith('/trpc/') && namesOf(url).includes(procedure);
  await page.route(matches, async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    const url = new URL(route.request().url());
    calls.push(...callsOf(url, namesOf(url), procedure, body));
    await route.fulfill({ response, body });
  });
  return {
    stop: async () => {
      await page.unroute(matches);
      return [...calls];
    },
  };
}

/**
 * A value as tRPC's stream encodes it: the value with placeholders, then for each part that was
 * still pending its key (null: the value itself) and the chunk that later carries it.
 */
type Encoded = [[unknown], ...[string | null, number, number][]];

function callsOf(url: URL, names: string[], procedure: string, body: string): TrpcCall[] {
  const batched = url.searchParams.get('batch') === '1';
  const inputs = JSON.parse(url.searchParams.get('input') ?? '{}') as Record<string, unknown>;
  const [head, ...lines] = body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
  // Each later line settles one chunk: [chunk, 0 (fulfilled) or 1 (rejected), encoded value].
  const chunks = new Map(
    (lines as [number, number, Encoded][]).map(([chunk, status, value]) => [chunk, { status, value }]),
  );
  const decode = ([[value], ...pending]: Encoded): unknown => {
    let whole = value;
    for (const [key, , chunk] of pending) {
      const settled = chunks.get(chunk);
      const part = settled?.status === 0 ? decode(settled.value) : undefined;
      if (key === null) whole = part;
      else (whole as Record<string, unknown>)[key] = part;
    }
    return whole;
  };
  return names.flatMap((name, index) => {
    if (name !== procedure) return [];
    const encoded = (head as Record<string, Encoded>)[String(index)];
    const answer = encoded && (decode(encoded) as { result?: { data?: { items?: unknown } } });
    const items = answer?.result?.data?.items;
    return [
      {
        input: ((batched ? inputs[String(index)] : inputs) ?? {}) as Record<string, unknown>,
        items: Array.isArray(items) ? (items as { nodePath: string }[]) : undefined,
      },
    ];
  });
}
