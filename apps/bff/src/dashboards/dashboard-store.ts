// Dashboards in the BFF's database (docs/decisions/0035-dashboards.md).
import { and, asc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { Role, roleAllows, type DashboardDocument } from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { dashboards, users } from '../store/schema.ts';

export interface StoredDashboard {
  id: number;
  ownerId: number | null;
  ownerName: string | null;
  document: DashboardDocument;
  version: number;
  seed: string | null;
  updatedAt: Date;
}

/** Who asks: their own dashboards and those shared with their role are theirs to see. */
export interface DashboardViewer {
  userId: number;
  role: Role;
}

export interface DashboardStore {
  /** The viewer's own and those shared with their role, by title. */
  listVisible(viewer: DashboardViewer): Promise<StoredDashboard[]>;
  get(id: number): Promise<StoredDashboard | undefined>;
  /** The new id; undefined when `seed` is already there (another replica made it first). */
  insert(
    ownerId: number | null,
    document: DashboardDocument,
    at: Date,
    seed?: string,
  ): Promise<number | undefined>;
  /** Saves over `version`; false when the row is gone or another save moved it on. */
  update(id: number, version: number, document: DashboardDocument, at: Date): Promise<boolean>;
  delete(id: number): Promise<boolean>;
  /** The seeds already present (any version, edited or not). */
  seeds(): Promise<Set<string>>;
}

const sharingColumns = (document: DashboardDocument) => ({
  title: document.title,
  visibility: document.sharing.visibility,
  minRole: document.sharing.visibility === 'shared' ? document.sharing.minRole : null,
});

export function createDashboardStore(db: BffDatabase): DashboardStore {
  const select = (where: SQL | undefined) =>
    db
      .select({
        id: dashboards.id,
        ownerId: dashboards.ownerId,
        ownerName: users.name,
        document: dashboards.document,
        version: dashboards.version,
        seed: dashboards.seed,
        updatedAt: dashboards.updatedAt,
      })
      .from(dashboards)
      .leftJoin(users, eq(users.id, dashboards.ownerId))
      .where(where)
      .orderBy(asc(dashboards.title), asc(dashboards.id));
  return {
    listVisible: (viewer) => {
      const roles = Role.options.filter((role) => roleAllows(viewer.role, role));
      return select(
        or(
          eq(dashboards.ownerId, viewer.userId),
          and(eq(dashboards.visibility, 'shared'), inArray(dashboards.minRole, roles)),
        ),
      );
    },
    get: async (id) => (await select(eq(dashboards.id, id)))[0],
    insert: async (ownerId, document, at, seed) => {
      const [row] = await db
        .insert(dashboards)
        .values({ ...sharingColumns(document), ownerId, document, version: 1, seed, updatedAt: at })
        .onConflictDoNothing({ target: dashboards.seed })
        .returning({ id: dashboards.id });
      return row?.id;
    },
    update: async (id, version, document, at) => {
      const changed = await db
        .update(dashboards)
        .set({ ...sharingColumns(document), document, version: version + 1, updatedAt: at })
        .where(and(eq(dashboards.id, id), eq(dashboards.version, version)))
        .returning({ id: dashboards.id });
      return changed.length === 1;
    },
    delete: async (id) =>
      (await db.delete(dashboards).where(eq(dashboards.id, id)).returning({ id: dashboards.id })).length ===
      1,
    seeds: async () => {
      const rows = await db.select({ seed: dashboards.seed }).from(dashboards);
      return new Set(rows.flatMap((r) => (r.seed === null ? [] : [r.seed])));
    },
  };
}
