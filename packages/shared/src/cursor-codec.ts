import type { z } from 'zod';
import type { Cursor } from './domain/page.ts';

/** Encodes a keyset position; server-only (uses Buffer). */
export function encodeCursor(position: unknown): Cursor {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decoding checks the shape, so a forged or foreign cursor is a clear error, never a crash. */
export function decodeCursor<T extends z.ZodType>(cursor: Cursor, shape: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not valid');
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) throw new InvalidCursorError('cursor does not belong to this query');
  return parsed.data;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}
