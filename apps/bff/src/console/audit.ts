import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, like, lt, type SQL, sql } from 'drizzle-orm';
import { BadRequestError } from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { auditLog } from '../store/schema.ts';
import { AuditFilter, type AuditChainReport, type AuditEntry, type AuditPage } from '@tierscope/shared';

/** Who acts and from where: the user's name (or `system`) and the request's client address. */
export interface AuditOrigin {
  actor: string;
  address: string;
}

export interface AuditEvent {
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /** Appends one entry at the end of the hash chain; entries are never changed afterwards. */
  append(origin: AuditOrigin, event: AuditEvent): Promise<AuditEntry>;
  list(filter: AuditFilter): Promise<AuditPage>;
  /** Walks the whole chain from the first entry; reports the first entry that does not match. */
  verify(): Promise<AuditChainReport>;
}

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Appends take this transaction-scoped advisory lock, so the chain stays one line across replicas. */
const AUDIT_CHAIN_LOCK = 0x7a5c_a0d1;
const VERIFY_BATCH = 500;

export function createAuditLog(db: BffDatabase, now: () => number): AuditLog {
  return {
    append: (origin, event) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
        const [last] = await tx
          .select({ hash: auditLog.hash })
          .from(auditLog)
          .orderBy(desc(auditLog.id))
          .limit(1);
        const content: ChainedContent = {
          at: new Date(now()).toISOString(),
          actor: origin.actor,
          action: event.action,
          target: event.target,
          address: origin.address,
          // Through JSON once, so the hash covers exactly what jsonb gives back.
          details: JSON.parse(JSON.stringify(event.details ?? {})) as Record<string, unknown>,
        };
        const prevHash = last?.hash ?? GENESIS_HASH;
        const [row] = await tx
          .insert(auditLog)
          .values({ ...content, at: new Date(content.at), prevHash, hash: chainHash(prevHash, content) })
          .returning();
        return toEntry(row!);
      }),

    list: async (input) => {
      const filter = AuditFilter.parse(input);
      const where: SQL[] = [];
      if (filter.actor) where.push(eq(auditLog.actor, filter.actor));
      if (filter.action) {
        where.push(
          filter.action.endsWith('.')
            ? like(auditLog.action, `${escapeLike(filter.action)}%`)
            : eq(auditLog.action, filter.action),
        );
      }
      if (filter.target) where.push(eq(auditLog.target, filter.target));
      if (filter.from !== undefined) where.push(gte(auditLog.at, new Date(filter.from)));
      if (filter.to !== undefined) where.push(lt(auditLog.at, new Date(filter.to)));
      if (filter.cursor) where.push(lt(auditLog.id, cursorId(filter.cursor)));
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(filter.limit + 1);
      const items = rows.slice(0, filter.limit).map(toEntry);
      return {
        items,
        nextCursor: rows.length > filter.limit ? String(items[items.length - 1]!.id) : null,
      };
    },

    verify: async () => {
      let expectedPrev = GENESIS_HASH;
      let afterId = 0;
      let checked = 0;
      for (;;) {
        const rows = await db
          .select()
          .from(auditLog)
          .where(gt(auditLog.id, afterId))
          .orderBy(asc(auditLog.id))
          .limit(VERIFY_BATCH);
        for (const row of rows) {
          if (row.prevHash !== expectedPrev) {
            return {
              ok: false,
              checked,
              firstBrokenId: row.id,
              reason: 'prev_hash is not the hash of the entry before',
            };
          }
          if (row.hash !== chainHash(row.prevHash, contentOf(row))) {
            return { ok: false, checked, firstBrokenId: row.id, reason: 'hash does not match the entry' };
          }
          expectedPrev = row.hash;
          checked += 1;
        }
        if (rows.length < VERIFY_BATCH) return { ok: true, checked };
        afterId = rows[rows.length - 1]!.id;
      }
    },
  };
}

/** What the hash covers: every column but the id and the hashes themselves. */
interface ChainedContent {
  at: string;
  actor: string;
  action: string;
  target: string;
  address: string;
  details: Record<string, unknown>;
}

type AuditRow = typeof auditLog.$inferSelect;

function contentOf(row: AuditRow): ChainedContent {
  return {
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    address: row.address,
    details: row.details,
  };
}

/** sha256(prev_hash || canonical JSON of the entry), hex. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}

/**
 * JSON with object keys sorted at every depth (RFC 8785's key order; its number and string forms
 * are JSON.stringify's), so jsonb's own key order never changes a hash.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.getTime(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    address: row.address,
    details: row.details,
  };
}

function cursorId(cursor: string): number {
  const id = Number(cursor);
  if (!/^[1-9][0-9]*$/.test(cursor) || !Number.isSafeInteger(id)) {
    throw new BadRequestError('audit cursor: pass back the nextCursor of the page before');
  }
  return id;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
