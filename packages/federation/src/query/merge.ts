import {
  ConfigState,
  countCommandJob,
  DeviceStatus,
  NODE_HISTORY_MAX_NODES,
  nodeHistoryBucketMs,
  RULE_PREVIEW_DEVICE_LIMIT,
  RULE_PREVIEW_TIMELINE_LIMIT,
  type CommandCatalog,
  type CommandJob,
  type CommandJobItem,
  type CommandJobRoster,
  type ConfigChange,
  type ConfigCounts,
  type DeviceCounts,
  type Coverage,
  type Cursor,
  type NodeAnswer,
  type NodeChild,
  type NodeHistory,
  type NodeHistoryInput,
  type NodeInfo,
  type RulePreview,
} from '@tierscope/shared';
import type { FailedState } from './fan-out.ts';

/**
 * One member's answer as the merge sees it: a page already in this node's output space (paths
 * prefixed), or why the member's data is missing, under the path it has in this node's space.
 */
export type MemberResult<T> =
  | { readonly ok: true; readonly path: string; readonly value: T; readonly latencyMs: number }
  | {
      readonly ok: false;
      readonly path: string;
      readonly state: FailedState;
      readonly latencyMs: number;
      readonly message: string;
    };

export interface Page<T> {
  items: T[];
  nextCursor: Cursor | null;
  coverage: Coverage;
}

/**
 * An item of a child's list page as the parent first reads it: checked only for the fields the
 * list is ordered by, the rest passed through. The merge checks the items it takes in full, so an
 * item reaches the answer only once it holds the contract (docs/decisions/0012).
 */
export type Unchecked<K> = K & { readonly [field: string]: unknown };

/** The fields devices.list is ordered by. */
export type DeviceOrderFields = {
  name: string;
  nodePath: string;
  id: string;
};

/** The fields events.search is ordered by. */
export type EventOrderFields = {
  ts: number;
  nodePath: string;
  id: string;
};

/** The fields deadLetters.list is ordered by. */
export type DeadLetterOrderFields = {
  receivedAt: number;
  nodePath: string;
  id: string;
};

// ---------------------------------------------------------------------------------------------
// Paths

/** `district-1/` for a non-root node, `` for the root (which returns children's paths unchanged). */
export function outputPrefix(ownId: string, isRoot: boolean): string {
  return isRoot ? '' : `${ownId}/`;
}

export function prefixItems<T extends { nodePath: string }>(items: readonly T[], prefix: string): T[] {
  return prefix === ''
    ? [...items]
    : items.map((item) => ({ ...item, nodePath: `${prefix}${item.nodePath}` }));
}

export function prefixCoverage(coverage: Coverage, prefix: string): Coverage {
  if (prefix === '') return coverage;
  return { ...coverage, nodes: coverage.nodes.map((n) => ({ ...n, path: `${prefix}${n.path}` })) };
}

export function prefixPage<T extends { nodePath: string }>(page: Page<T>, prefix: string): Page<T> {
  return {
    items: prefixItems(page.items, prefix),
    nextCursor: page.nextCursor,
    coverage: prefixCoverage(page.coverage, prefix),
  };
}

/** Rewrites a node's info tree into the parent's output space. */
export function prefixNodeInfo(info: NodeInfo, prefix: string): NodeInfo {
  if (prefix === '') return info;
  const children = info.children?.map((c) => prefixNodeChild(c, prefix));
  return { ...info, path: `${prefix}${info.path}`, ...(children ? { children } : {}) };
}

function prefixNodeChild(child: NodeChild, prefix: string): NodeChild {
  return { ...child, path: `${prefix}${child.path}`, info: child.info && prefixNodeInfo(child.info, prefix) };
}

// ---------------------------------------------------------------------------------------------
// Coverage and counts

/**
 * Flattens the members' coverage into one block: a member that federates reports its own
 * subtree (already prefixed), a failed member counts as one node asked and not answered.
 */
export function mergeCoverage(results: readonly MemberResult<{ coverage: Coverage }>[]): Coverage {
  let asked = 0;
  let answered = 0;
  const nodes: NodeAnswer[] = [];
  for (const result of results) {
    if (result.ok) {
      asked += result.value.coverage.asked;
      answered += result.value.coverage.answered;
      nodes.push(...result.value.coverage.nodes);
    } else {
      asked += 1;
      nodes.push({
        path: result.path,
        state: result.state,
        latencyMs: Math.max(0, result.latencyMs),
        message: result.message,
      });
    }
  }
  return { asked, answered, nodes };
}

/** A sum over the members that answered; `lowerBound` when one did not. */
export function sumCounts<T>(
  results: readonly MemberResult<T>[],
  count: (value: T) => number,
): { total: number; lowerBound: boolean } {
  let total = 0;
  let lowerBound = false;
  for (const result of results) {
    if (result.ok) total += count(result.value);
    else lowerBound = true;
  }
  return { total, lowerBound };
}

/** devices.count: each status summed over the members that answered; coverage says who did. */
export function sumDeviceCounts(results: readonly MemberResult<DeviceCounts>[]): DeviceCounts {
  const { total, byKey, coverage } = sumKeyedCounts(results, DeviceStatus.options, (value) => value.byStatus);
  return { total, byStatus: byKey, coverage };
}

/** Totals and per-key counts summed over the members that answered; the coverage names the others. */
function sumKeyedCounts<K extends string, T extends { total: number; coverage: Coverage }>(
  results: readonly MemberResult<T>[],
  keys: readonly K[],
  countsOf: (value: T) => Partial<Record<K, number>>,
): { total: number; byKey: Record<K, number>; coverage: Coverage } {
  const byKey = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  let total = 0;
  for (const result of results) {
    if (!result.ok) continue;
    total += result.value.total;
    for (const key of keys) byKey[key] += countsOf(result.value)[key] ?? 0;
  }
  return { total, byKey, coverage: mergeCoverage(results) };
}

/** A member's configuration change with its node paths in this tier's space. */
export function prefixConfigChange(change: ConfigChange, prefix: string): ConfigChange {
  if (prefix === '') return change;
  return {
    ...change,
    items: change.items.map((item) => ({ ...item, nodePath: `${prefix}${item.nodePath}` })),
    coverage: prefixCoverage(change.coverage, prefix),
  };
}

/** The members' configuration changes as one: items by node path then device, the coverage merged. */
export function mergeConfigChanges(results: readonly MemberResult<ConfigChange>[]): ConfigChange {
  const items = results.flatMap((result) => (result.ok ? result.value.items : [])).sort(byPathThenDevice);
  return { total: items.length, items, coverage: mergeCoverage(results) };
}

/** Configured devices by state, summed over the members that answered. */
export function sumConfigCounts(results: readonly MemberResult<ConfigCounts>[]): ConfigCounts {
  const { total, byKey, coverage } = sumKeyedCounts(results, ConfigState.options, (value) => value.byState);
  return { total, byState: byKey, coverage };
}

/** A member's bulk command job with its node paths in this tier's space. */
export function prefixCommandJob(job: CommandJob, prefix: string): CommandJob {
  if (prefix === '') return job;
  return {
    ...job,
    items: job.items.map((item) => ({ ...item, nodePath: `${prefix}${item.nodePath}` })),
    refused: job.refused.map((row) => ({ ...row, nodePath: `${prefix}${row.nodePath}` })),
    rosters: job.rosters.map((roster) => ({ ...roster, nodePath: `${prefix}${roster.nodePath}` })),
    coverage: prefixCoverage(job.coverage, prefix),
  };
}

/**
 * A bulk command's job over the members that answered: their items and refusals together (by node
 * path, then device), counted again; the coverage names each member that did not answer, and
 * `unanswered` adds its last known devices as `unreachable` items (ChildRosters) and its roster.
 */
export function mergeCommandJobs(
  jobId: string,
  results: readonly MemberResult<CommandJob>[],
  unanswered: readonly { items: CommandJobItem[]; roster: CommandJobRoster }[] = [],
): CommandJob {
  const answered = results.flatMap((result) => (result.ok ? [result.value] : []));
  const byDevice = (a: { nodePath: string; deviceId: string }, b: { nodePath: string; deviceId: string }) =>
    a.nodePath.localeCompare(b.nodePath) || a.deviceId.localeCompare(b.deviceId);
  const items = [...answered.flatMap((job) => job.items), ...unanswered.flatMap((u) => u.items)].sort(
    byDevice,
  );
  return {
    jobId,
    counts: countCommandJob(items),
    items,
    refused: answered.flatMap((job) => job.refused).sort(byDevice),
    rosters: [...unanswered.map((u) => u.roster), ...answered.flatMap((job) => job.rosters)],
    coverage: mergeCoverage(results),
  };
}

/**
 * The command declarations of every member that answered, by kind then name; when two members
 * declare one kind's command differently (policies targeted at parts of the tree), the first in
 * member order is offered, and the owning node still checks what it is sent.
 */
export function mergeCommandCatalogs(results: readonly MemberResult<CommandCatalog>[]): CommandCatalog {
  const commands: CommandCatalog['commands'] = {};
  for (const result of results) {
    if (!result.ok) continue;
    for (const [kind, byName] of Object.entries(result.value.commands))
      commands[kind] = { ...byName, ...commands[kind] };
  }
  return { commands, coverage: mergeCoverage(results) };
}

/** A member's rules.preview with its node paths in this tier's space. */
export function prefixRulePreview(preview: RulePreview, prefix: string): RulePreview {
  if (prefix === '') return preview;
  return {
    ...preview,
    devices: preview.devices.map((d) => ({ ...d, nodePath: `${prefix}${d.nodePath}` })),
    timeline: preview.timeline.map((t) => ({ ...t, nodePath: `${prefix}${t.nodePath}` })),
    coverage: prefixCoverage(preview.coverage, prefix),
  };
}

const byPathThenDevice = (
  a: { nodePath: string; deviceId: string },
  b: { nodePath: string; deviceId: string },
) =>
  a.nodePath < b.nodePath
    ? -1
    : a.nodePath > b.nodePath
      ? 1
      : a.deviceId < b.deviceId
        ? -1
        : a.deviceId > b.deviceId
          ? 1
          : 0;

/**
 * rules.preview over members: counts summed; the devices that fired most and the first transitions
 * are exact, since each member sent its own first ones in the same order; coverage says who answered.
 */
export function mergeRulePreviews(results: readonly MemberResult<RulePreview>[]): RulePreview {
  const answers = results.flatMap((r) => (r.ok ? [r.value] : []));
  const sum = (of: (p: RulePreview) => number) => answers.reduce((total, p) => total + of(p), 0);
  const timeline = answers.flatMap((p) => p.timeline).sort((a, b) => a.at - b.at || byPathThenDevice(a, b));
  return {
    fired: sum((p) => p.fired),
    flapping: sum((p) => p.flapping),
    resolved: sum((p) => p.resolved),
    devices: answers
      .flatMap((p) => p.devices)
      .sort((a, b) => b.fired - a.fired || byPathThenDevice(a, b))
      .slice(0, RULE_PREVIEW_DEVICE_LIMIT),
    timeline: timeline.slice(0, RULE_PREVIEW_TIMELINE_LIMIT),
    timelineComplete:
      answers.every((p) => p.timelineComplete) && timeline.length <= RULE_PREVIEW_TIMELINE_LIMIT,
    replayed: { samples: sum((p) => p.replayed.samples), events: sum((p) => p.replayed.events) },
    coverage: mergeCoverage(results),
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

/**
 * Merges sorted pages into the first `limit` items of the global order (k-way merge). Each
 * member has sent every item of its own up to its page's last one, after the same global
 * position, so the result is exact up to the earliest such last item (see `beyondBound`).
 * `nextCursor` is the last taken item's position, or null when every member said it had no more
 * and nothing was left over. A member that failed is missing from this page and the ones after
 * it: the coverage says so.
 */
export function mergePages<T>(
  results: readonly MemberResult<Page<T>>[],
  compare: (a: T, b: T) => number,
  cursorOf: (item: T) => Cursor,
  limit: number,
): Page<T> {
  return mergeCheckedPages(results, compare, cursorOf, limit, (item) => item);
}

/**
 * `mergePages` over pages whose items are not yet checked: `check` parses each item the merge
 * takes (and throws when it breaks the contract). A member that sent a broken item is answered
 * `error` in coverage and the page is merged again without it, so the answer holds only checked
 * items and never part of a broken member's page. Items that are not taken are never checked.
 */
export function mergeCheckedPages<I, T extends I>(
  results: readonly MemberResult<Page<I>>[],
  compare: (a: I, b: I) => number,
  cursorOf: (item: T) => Cursor,
  limit: number,
  check: (item: I) => T,
): Page<T> {
  let current = results;
  for (;;) {
    const answered = current.flatMap((r, member) => (r.ok ? [{ member, page: r.value }] : []));
    const lists = answered.map(({ page }) =>
      isSorted(page.items, compare) ? page.items : [...page.items].sort(compare),
    );
    const { items: taken, sources } = mergeWithSources(lists, compare, limit + 1);
    const beyond = beyondBound(taken, answered, lists, compare);
    const leftOver = taken.length > limit || beyond < taken.length;
    taken.length = Math.min(limit, beyond);
    const checked = checkTaken(taken, sources, check);
    if (!checked.ok) {
      const broken = answered[checked.list]!.member;
      current = current.map((r, member) => (member === broken ? brokenAnswer(r, checked.message) : r));
      continue;
    }
    const items = checked.items;
    const moreInMembers = answered.some(({ page }) => page.nextCursor !== null);
    const last = items[items.length - 1];
    const nextCursor = (leftOver || moreInMembers) && last !== undefined ? cursorOf(last) : null;
    return { items, nextCursor, coverage: mergeCoverage(current) };
  }
}

/**
 * The index of the first taken item past what every member has sent: a member that has more (a
 * next cursor) vouches only for the items up to its last one. Members asked for `limit` items never
 * bind it; a member's short page (a second round that failed, a nested tier's own bound) does, and
 * the page then ends early with a cursor rather than skip that member's unsent items.
 */
function beyondBound<I>(
  taken: readonly I[],
  answered: readonly { page: Page<I> }[],
  lists: readonly (readonly I[])[],
  compare: (a: I, b: I) => number,
): number {
  let bound: I | undefined;
  answered.forEach(({ page }, i) => {
    const last = lists[i]!.at(-1);
    if (page.nextCursor === null || last === undefined) return;
    if (bound === undefined || compare(last, bound) < 0) bound = last;
  });
  if (bound === undefined) return taken.length;
  const past = taken.findIndex((item) => compare(item, bound!) > 0);
  return past === -1 ? taken.length : past;
}

/** Checks the taken items in order; on the first that fails, names the list it came from. */
function checkTaken<I, T>(
  taken: readonly I[],
  sources: readonly number[],
  check: (item: I) => T,
): { ok: true; items: T[] } | { ok: false; list: number; message: string } {
  const items: T[] = [];
  for (let i = 0; i < taken.length; i++) {
    try {
      items.push(check(taken[i]!));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, list: sources[i]!, message };
    }
  }
  return { ok: true, items };
}

/** A member whose page held an item that breaks the contract: an `error`, as if it had not answered. */
function brokenAnswer<V>(result: MemberResult<V>, message: string): MemberResult<V> {
  return {
    ok: false,
    path: result.path,
    state: 'error',
    latencyMs: result.latencyMs,
    message: `answered an item that breaks the contract: ${message}`.slice(0, 500),
  };
}

/** A dead letter's position in its order: the events order over `receivedAt`. */
export const deadLetterKeyOf = (d: DeadLetterOrderFields) => ({
  ts: d.receivedAt,
  path: d.nodePath,
  id: d.id,
});

function isSorted<T>(items: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1]!, items[i]!) > 0) return false;
  return true;
}

/** The first `limit` items of several sorted lists, by a binary heap of list heads. */
export function kWayMerge<T>(
  lists: readonly (readonly T[])[],
  compare: (a: T, b: T) => number,
  limit: number,
): T[] {
  return mergeWithSources(lists, compare, limit).items;
}

/** `kWayMerge`, also naming for each item the index of the list it came from. */
function mergeWithSources<T>(
  lists: readonly (readonly T[])[],
  compare: (a: T, b: T) => number,
  limit: number,
): { items: T[]; sources: number[] } {
  const heads: { list: readonly T[]; source: number; index: number }[] = lists.flatMap((list, source) =>
    list.length > 0 ? [{ list, source, index: 0 }] : [],
  );
  const less = (a: (typeof heads)[number], b: (typeof heads)[number]) =>
    compare(a.list[a.index]!, b.list[b.index]!) < 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && less(heads[l]!, heads[m]!)) m = l;
      if (r < heads.length && less(heads[r]!, heads[m]!)) m = r;
      if (m === i) return;
      [heads[i], heads[m]] = [heads[m]!, heads[i]!];
      i = m;
    }
  };
  for (let i = Math.floor(heads.length / 2) - 1; i >= 0; i--) siftDown(i);
  const items: T[] = [];
  const sources: number[] = [];
  while (items.length < limit && heads.length > 0) {
    const top = heads[0]!;
    items.push(top.list[top.index]!);
    sources.push(top.source);
    top.index += 1;
    if (top.index >= top.list.length) {
      heads[0] = heads[heads.length - 1]!;
      heads.pop();
    }
    siftDown(0);
  }
  return { items, sources };
}

// ---------------------------------------------------------------------------------------------
// Node info

/**
 * A federating node's info: its own (or a synthesized base) with the children tree, and device
 * counts summed over itself and the children that are up; `lowerBound` when any is not.
 */
export function mergeNodeInfo(base: NodeInfo, children: readonly NodeChild[]): NodeInfo {
  let total = base.devices.total;
  let online = base.devices.online;
  let lowerBound = base.devices.lowerBound ?? false;
  for (const child of children) {
    if (child.state === 'up' && child.info) {
      total += child.info.devices.total;
      online += child.info.devices.online;
      lowerBound ||= child.info.devices.lowerBound ?? false;
    } else {
      lowerBound = true;
    }
  }
  return { ...base, devices: { total, online, lowerBound }, children: [...children] };
}

/** Node paths in a member's node history, seen from the tier above. */
export function prefixNodeHistory(history: NodeHistory, prefix: string): NodeHistory {
  if (prefix === '') return history;
  return {
    ...history,
    series: history.series.map((s) => ({ ...s, nodePath: `${prefix}${s.nodePath}` })),
    coverage: prefixCoverage(history.coverage, prefix),
  };
}

/** Every member's node series side by side, in path order; a node that did not answer is only in `coverage`. */
export function mergeNodeHistories(
  parts: readonly NodeHistory[],
  input: NodeHistoryInput,
  coverage: Coverage,
): NodeHistory {
  return {
    metric: input.metric,
    bucketMs: nodeHistoryBucketMs(input),
    series: parts
      .flatMap((p) => p.series)
      .sort((a, b) => (a.nodePath < b.nodePath ? -1 : a.nodePath > b.nodePath ? 1 : 0))
      .slice(0, NODE_HISTORY_MAX_NODES),
    coverage,
  };
}
