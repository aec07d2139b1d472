// Timed tRPC queries over HTTP (GET /trpc/<proc>?input=…, as httpLink sends them) and their percentiles.
import type { Coverage } from '@tierscope/shared';
import { round } from './bench.ts';

export interface TimedAnswer {
  ms: number;
  items: number;
  coverage: Coverage;
}

/**
 * One query, timed from before the request to the parsed body (what a client sees), and its
 * result. Throws on an HTTP error or when `signal` fires.
 */
export async function timedCall<T>(
  baseUrl: string,
  procedure: string,
  input: unknown,
  signal?: AbortSignal,
  /** The BFF's need a console session's cookie (BffProcess.headers). */
  headers: Record<string, string> = {},
): Promise<{ ms: number; data: T }> {
  const url = `${baseUrl}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const started = performance.now();
  const response = await fetch(url, { headers, ...(signal && { signal }) });
  const body = (await response.json()) as { result?: { data: T }; error?: { message?: string } };
  const ms = performance.now() - started;
  if (!response.ok || !body.result) {
    throw new Error(`${procedure} at ${baseUrl}: HTTP ${response.status} ${body.error?.message ?? ''}`);
  }
  return { ms, data: body.result.data };
}

/** A page query timed as `timedCall` times it: how many items it returned, and its coverage. */
export async function timedQuery(
  baseUrl: string,
  procedure: string,
  input: unknown,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): Promise<TimedAnswer> {
  const { ms, data } = await timedCall<{ items: unknown[]; coverage: Coverage }>(
    baseUrl,
    procedure,
    input,
    signal,
    headers,
  );
  return { ms, items: data.items.length, coverage: data.coverage };
}

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: round(percentile(values, 50), 2),
    p95: round(percentile(values, 95), 2),
    max: round(values.length ? Math.max(...values) : NaN, 2),
  };
}

/** Fisher–Yates, in place; for interleaving targets in a fresh order each round. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
