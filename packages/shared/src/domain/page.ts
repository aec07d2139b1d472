import { z } from 'zod';
import { Coverage } from './coverage.ts';

/** Opaque to callers: pass back `nextCursor` unchanged to get the next page. */
export const Cursor = z.string().min(1).max(8192);
export type Cursor = z.infer<typeof Cursor>;

export const Limit = z.number().int().min(1).max(500).default(100);

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: Cursor.nullable(), coverage: Coverage });
}
