import { z } from 'zod';
import {
  Device,
  isInSubtree,
  type CommandJobItem,
  type CommandJobRoster,
  CommandSelector,
  type Coverage,
} from '@tierscope/shared';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { MemberCalls } from './node-calls.ts';

/** What a roster keeps of a device: what a bulk selector picks by, in the child's own path space. */
export const RosterDevice = Device.pick({
  id: true,
  nodePath: true,
  kind: true,
  site: true,
  labels: true,
  status: true,
});
export type RosterDevice = z.infer<typeof RosterDevice>;

/** A child's devices as the tier last read them, and when. */
export const ChildRoster = z.object({ syncedAt: z.number().int(), devices: z.array(RosterDevice) });
export type ChildRoster = z.infer<typeof ChildRoster>;

/** The page size of a roster walk: the most `devices.list` gives. */
const ROSTER_PAGE = 500;
/** The most pages one walk reads (50 000 devices); a larger subtree keeps its first 50 000. */
const ROSTER_MAX_PAGES = 100;
/** How long one page may take: the child's own fan-out deadline, with room for a busy host. */
const ROSTER_PAGE_TIMEOUT_MS = 10_000;

/** Where a tier keeps its children's rosters, so they outlive a restart of the tier. */
export interface ChildRosterStore {
  save(childId: string, roster: ChildRoster): Promise<void>;
  loadAll(): Promise<Map<string, ChildRoster>>;
}

/** A ChildRosterStore over raw SQL, for a tier whose migrations create `child_rosters`. */
export function sqlChildRosterStore(
  exec: (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>,
): ChildRosterStore {
  return {
    save: async (childId, roster) => {
      // One row per child: a roster is replaced whole, in one statement, never half written.
      await exec(
        `INSERT INTO child_rosters (child_id, synced_at, devices) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (child_id) DO UPDATE SET synced_at = EXCLUDED.synced_at, devices = EXCLUDED.devices`,
        [childId, roster.syncedAt, JSON.stringify(roster.devices)],
      );
    },
    loadAll: async () => {
      const rows = await exec(`SELECT child_id, synced_at, devices FROM child_rosters`);
      return new Map(
        rows.map((row) => [
          String(row.child_id),
          ChildRoster.parse({ syncedAt: Number(row.synced_at), devices: row.devices }),
        ]),
      );
    },
  };
}

/** True when the device matches every filter of the selector (its `nodePath` is the caller's). */
function selects(selector: CommandSelector, device: RosterDevice): boolean {
  const at = selector.label?.indexOf('=') ?? -1;
  return (
    (selector.kind === undefined || device.kind === selector.kind) &&
    (selector.site === undefined || device.site === selector.site) &&
    (selector.label === undefined ||
      device.labels[selector.label.slice(0, at)] === selector.label.slice(at + 1)) &&
    (selector.status === undefined || device.status === selector.status) &&
    (selector.deviceIds === undefined || selector.deviceIds.includes(device.id))
  );
}

/** Reads a child's whole device list, page by page, up to ROSTER_MAX_PAGES. */
async function readDevices(calls: MemberCalls): Promise<{ devices: RosterDevice[]; failedPaths: string[] }> {
  const devices: RosterDevice[] = [];
  const failedPaths = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < ROSTER_MAX_PAGES; page += 1) {
    const answer = (await calls.calls.devices.list(
      { limit: ROSTER_PAGE, ...(cursor !== undefined && { cursor }) },
      {
        signal: AbortSignal.timeout(ROSTER_PAGE_TIMEOUT_MS),
        deadlineAt: Date.now() + ROSTER_PAGE_TIMEOUT_MS,
      },
    )) as { items: unknown[]; nextCursor: string | null; coverage: Coverage };
    for (const item of answer.items) devices.push(RosterDevice.parse(item));
    for (const node of answer.coverage.nodes) if (node.state !== 'ok') failedPaths.add(node.path);
    if (answer.nextCursor === null) break;
    cursor = answer.nextCursor;
  }
  return { devices, failedPaths: [...failedPaths] };
}

/**
 * A tier's copy of each child's devices (its whole subtree), so that a bulk command can name the
 * devices of a child that does not answer (decision 38). Read from the child by a page walk of
 * `devices.list` on `sync`; kept in memory and, with a store, in the tier's database.
 */
export class ChildRosters {
  private readonly rosters = new Map<string, ChildRoster>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly store?: ChildRosterStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Takes the rosters the store kept, before the first sync. */
  async load(): Promise<void> {
    if (!this.store) return;
    for (const [childId, roster] of await this.store.loadAll())
      if (!this.rosters.has(childId)) this.rosters.set(childId, roster);
  }

  /**
   * Reads the child's roster again. Devices of nodes below it that did not answer the walk are
   * kept as last known; a walk that fails keeps the old roster whole. One walk per child at a
   * time: a sync asked for during a walk waits for it and walks again.
   */
  sync(childId: string, calls: MemberCalls): Promise<void> {
    const previous = this.running.get(childId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const syncedAt = this.clock.now();
      const { devices, failedPaths } = await readDevices(calls);
      const kept = (this.rosters.get(childId)?.devices ?? []).filter((device) =>
        failedPaths.some((path) => isInSubtree(device.nodePath, path)),
      );
      const roster = { syncedAt, devices: [...devices, ...kept] };
      this.rosters.set(childId, roster);
      await this.store?.save(childId, roster);
    });
    const settled = next.catch(() => undefined);
    this.running.set(childId, settled);
    void settled.then(() => {
      if (this.running.get(childId) === settled) this.running.delete(childId);
    });
    return next;
  }

  /**
   * The devices of a child that did not answer which `selector` picks from its last known roster,
   * as `unreachable` job items in this tier's path space (`prefix` + the child's path), and the
   * roster's age; without a roster, no items and `lastKnownAt` null. `within` limits the paths
   * (the caller's scope).
   */
  unreachableItems(
    child: { id: string; path: string; prefix: string },
    selector: CommandSelector,
    reason: string,
    within: (path: string) => boolean = () => true,
  ): { items: CommandJobItem[]; roster: CommandJobRoster } {
    const roster = this.rosters.get(child.id);
    if (!roster) return { items: [], roster: { nodePath: child.path, lastKnownAt: null } };
    const lastKnown = new Date(roster.syncedAt).toISOString();
    const items = roster.devices
      .map((device) => ({ ...device, nodePath: `${child.prefix}${device.nodePath}` }))
      .filter(
        (device) =>
          (selector.nodePath === undefined || isInSubtree(device.nodePath, selector.nodePath)) &&
          within(device.nodePath) &&
          selects(selector, device),
      )
      .map((device): CommandJobItem => ({
        nodePath: device.nodePath,
        deviceId: device.id,
        commandId: null,
        state: 'unreachable',
        error: `${child.path} did not answer (${reason}); device last known at ${lastKnown}`,
      }));
    return { items, roster: { nodePath: child.path, lastKnownAt: roster.syncedAt } };
  }
}

/** How long a tier keeps a bulk command's selector: reading a job back later names no roster devices. */
export const JOB_SELECTOR_KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * The selectors of the bulk commands a tier took, by job id: a job read back (`commandJob` takes
 * only the id) selects a silent child's devices from its roster as the command did.
 */
export interface JobSelectorStore {
  save(jobId: string, selector: CommandSelector, at: number): Promise<void>;
  get(jobId: string): Promise<CommandSelector | undefined>;
}

/** A JobSelectorStore over raw SQL, for a tier whose migrations create `command_job_selectors`. */
export function sqlJobSelectorStore(
  exec: (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>,
): JobSelectorStore {
  return {
    save: async (jobId, selector, at) => {
      // Each save also drops the selectors past keeping, so the table stays a week of jobs.
      await exec(`DELETE FROM command_job_selectors WHERE created_at < $1`, [at - JOB_SELECTOR_KEEP_MS]);
      await exec(
        `INSERT INTO command_job_selectors (job_id, selector, created_at) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (job_id) DO NOTHING`,
        [jobId, JSON.stringify(selector), at],
      );
    },
    get: async (jobId) => {
      const [row] = await exec(`SELECT selector FROM command_job_selectors WHERE job_id = $1`, [jobId]);
      return row ? CommandSelector.parse(row.selector) : undefined;
    },
  };
}

/** The most selectors a tier without a database keeps in memory, newest last. */
const MEMORY_JOB_SELECTORS = 1000;

/** A JobSelectorStore in memory, for a tier run without a database: the last 1 000 jobs. */
export function memoryJobSelectorStore(): JobSelectorStore {
  const selectors = new Map<string, CommandSelector>();
  return {
    save: (jobId, selector) => {
      selectors.set(jobId, selector);
      for (const oldest of selectors.keys()) {
        if (selectors.size <= MEMORY_JOB_SELECTORS) break;
        selectors.delete(oldest);
      }
      return Promise.resolve();
    },
    get: (jobId) => Promise.resolve(selectors.get(jobId)),
  };
}
