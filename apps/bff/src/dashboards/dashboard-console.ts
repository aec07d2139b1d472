import { TRPCError } from '@trpc/server';
import {
  DashboardDocument,
  roleAllows,
  type ConsoleService,
  type Dashboard,
  type DashboardSummary,
} from '@tierscope/shared';
import type { z } from 'zod';
import type { AuditLog, AuditOrigin } from '../console/audit.ts';
import type { ConsoleCaller } from '../console/console-auth.ts';
import type { DashboardStore, StoredDashboard } from './dashboard-store.ts';

export type DashboardConsole = Pick<ConsoleService, 'dashboards'>;

export interface DashboardConsoleDeps {
  store: DashboardStore;
  audit: AuditLog;
  now: () => number;
}

/** The name the product's own dashboards are shown with. */
export const PRODUCT_OWNER = 'Tierscope';

/** Its owner sees it; a shared one, anyone whose role reaches its minimum. */
export function canView(row: StoredDashboard, caller: ConsoleCaller): boolean {
  const sharing = row.document.sharing;
  return (
    row.ownerId === caller.userId ||
    (sharing.visibility === 'shared' && roleAllows(caller.actor.role, sharing.minRole))
  );
}

/** Its owner or an admin changes it (an admin only one they can see). */
export function canEdit(row: StoredDashboard, caller: ConsoleCaller): boolean {
  return row.ownerId === caller.userId || (caller.actor.role === 'admin' && canView(row, caller));
}

function asDashboard(row: StoredDashboard, caller: ConsoleCaller): Dashboard {
  return {
    id: row.id,
    owner: { userId: row.ownerId, name: row.ownerName ?? PRODUCT_OWNER },
    version: row.version,
    updatedAt: row.updatedAt.getTime(),
    seed: row.seed,
    editable: canEdit(row, caller),
    document: row.document,
  };
}

function asSummary(row: StoredDashboard, caller: ConsoleCaller): DashboardSummary {
  const { document, ...rest } = asDashboard(row, caller);
  return { ...rest, title: document.title, sharing: document.sharing, panels: document.panels.length };
}

/** `panels.2.query.metric: …; title: …`: every problem, where it is. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(the whole file)'}: ${issue.message}`)
    .join('; ');
}

/**
 * What an import holds: an exported dashboard (as `get` returns it) or a bare document. A file that
 * is not JSON, or not a dashboard, is a BAD_REQUEST saying what is wrong and where.
 */
export function parseDashboardImport(json: string): DashboardDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  const exported =
    typeof parsed === 'object' && parsed !== null && 'document' in parsed ? parsed.document : parsed;
  const result = DashboardDocument.safeParse(exported);
  if (!result.success)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `not a valid dashboard: ${describeIssues(result.error.issues)}`,
    });
  return result.data;
}

/**
 * The dashboards for one caller: theirs and those shared with their role; changes by the owner or
 * an admin, each one audited. Scope needs no check here: every panel's data comes through
 * `metrics.fleet` as the caller, which sees only their subtrees.
 */
export function dashboardConsoleFor(
  deps: DashboardConsoleDeps,
  caller: ConsoleCaller,
  origin: AuditOrigin,
): DashboardConsole {
  const { store, audit, now } = deps;
  const visible = async (id: number): Promise<StoredDashboard> => {
    const row = await store.get(id);
    if (!row || !canView(row, caller))
      throw new TRPCError({ code: 'NOT_FOUND', message: `no dashboard ${id}` });
    return row;
  };
  const editable = async (id: number): Promise<StoredDashboard> => {
    const row = await visible(id);
    if (!canEdit(row, caller))
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `dashboard ${id} is ${row.ownerName ?? PRODUCT_OWNER}'s: only they or an admin change it`,
      });
    return row;
  };
  const create = async (document: DashboardDocument, action: string): Promise<Dashboard> => {
    const id = (await store.insert(caller.userId, document, new Date(now())))!;
    await audit.append(origin, { action, target: document.title, details: { id } });
    return asDashboard(await visible(id), caller);
  };
  return {
    dashboards: {
      list: async () =>
        (await store.listVisible({ userId: caller.userId, role: caller.actor.role })).map((row) =>
          asSummary(row, caller),
        ),
      get: async (id) => asDashboard(await visible(id), caller),
      save: async (input) => {
        const document = DashboardDocument.parse(input.document);
        if (input.id === undefined) return create(document, 'dashboard.create');
        const current = await editable(input.id);
        const version = input.version ?? current.version;
        if (!(await store.update(input.id, version, document, new Date(now()))))
          throw new TRPCError({
            code: 'CONFLICT',
            message: `dashboard ${input.id} was saved by someone else meanwhile (version ${current.version}): reload it and apply your change again`,
          });
        await audit.append(origin, {
          action: 'dashboard.update',
          target: document.title,
          details: { id: input.id, version: version + 1, sharing: document.sharing },
        });
        return asDashboard(await visible(input.id), caller);
      },
      delete: async (id) => {
        const row = await editable(id);
        const deleted = await store.delete(id);
        if (deleted)
          await audit.append(origin, {
            action: 'dashboard.delete',
            target: row.document.title,
            details: { id },
          });
        return { deleted };
      },
      import: (input) => create(parseDashboardImport(input.json), 'dashboard.import'),
    },
  };
}
