import {
  BadRequestError,
  RULE_PREVIEW_DEVICE_LIMIT,
  RULE_PREVIEW_TIMELINE_LIMIT,
  selfCoverage,
  type PreviewRuleInput,
  type RulePreview,
  type RulePreviewTransition,
} from '@tierscope/shared';
import type { AlertTransition } from '../alerting/alert-transitions.ts';
import type { RuleEngineOptions } from '../alerting/rule-engine.ts';
import { RuleReplay } from '../alerting/rule-replay.ts';
import { scopeMatcher } from '../alerting/rule-scope.ts';
import type { NodeStore } from '../store/client.ts';
import { loadDeviceFacts } from '../store/device-facts.ts';
import { readRuleHistory } from '../store/rule-history.ts';
import { elapsedSince } from './paging.ts';
import { pathSelects } from './path-scoped.ts';

/** A preview replays at most this many stored rows: past it the caller narrows the scope or the window. */
export const RULE_PREVIEW_MAX_ROWS = 5_000_000;
/** The live engine ticks every second; a window longer than a day replays in coarser steps. */
const TICKS_PER_WINDOW = 86_400;

export interface RulePreviewDeps {
  store: NodeStore;
  nodePath: string;
  engine?: RuleEngineOptions;
}

/** Counts, the devices that fired most and the first transitions, as the replay emits them. */
class PreviewTally {
  fired = 0;
  flapping = 0;
  resolved = 0;
  private readonly firedByDevice = new Map<string, number>();
  private readonly timeline: RulePreviewTransition[] = [];
  private timelineComplete = true;

  constructor(private readonly nodePath: string) {}

  add = (transition: AlertTransition): void => {
    if (transition.kind === 'fired') {
      this.fired++;
      this.firedByDevice.set(transition.deviceId, (this.firedByDevice.get(transition.deviceId) ?? 0) + 1);
    } else if (transition.kind === 'flapping') this.flapping++;
    else this.resolved++;
    // Past the limit, ties with the last kept instant are kept too, so the cut below is by device.
    const last = this.timeline.at(-1);
    if (
      this.timeline.length < RULE_PREVIEW_TIMELINE_LIMIT ||
      (last?.at === transition.at && this.timeline.length < 2 * RULE_PREVIEW_TIMELINE_LIMIT)
    ) {
      this.timeline.push({
        at: transition.at,
        kind: transition.kind,
        nodePath: this.nodePath,
        deviceId: transition.deviceId,
        value: transition.value,
      });
    } else this.timelineComplete = false;
  };

  result(replayed: RulePreview['replayed'], coverage: RulePreview['coverage']): RulePreview {
    const devices = [...this.firedByDevice]
      .map(([deviceId, fired]) => ({ nodePath: this.nodePath, deviceId, fired }))
      .sort((a, b) => b.fired - a.fired || (a.deviceId < b.deviceId ? -1 : 1))
      .slice(0, RULE_PREVIEW_DEVICE_LIMIT);
    const timeline = [...this.timeline]
      .sort((a, b) => a.at - b.at || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0))
      .slice(0, RULE_PREVIEW_TIMELINE_LIMIT);
    const timelineComplete = this.timelineComplete && this.timeline.length <= RULE_PREVIEW_TIMELINE_LIMIT;
    const { fired, flapping, resolved } = this;
    return { fired, flapping, resolved, devices, timeline, timelineComplete, replayed, coverage };
  }
}

/**
 * What a rule would have done on this node over [from, to): the node's stored samples and events
 * for the rule's devices replayed through its own rule engine (RuleReplay), read a slice at a time.
 */
export async function previewRuleLocally(
  deps: RulePreviewDeps,
  input: PreviewRuleInput,
): Promise<RulePreview> {
  const started = performance.now();
  const tally = new PreviewTally(deps.nodePath);
  const replayed = { samples: 0, events: 0 };
  if (!pathSelects(input.nodePath, deps.nodePath))
    return tally.result(replayed, selfCoverage(deps.nodePath, elapsedSince(started)));
  const { rule, from, to } = input;
  const condition = rule.condition;
  if (condition.kind === 'device-offline')
    throw new BadRequestError(
      'a device-offline rule cannot be previewed: nodes keep each device’s current status, not its history',
    );

  const inScope = scopeMatcher(rule.scope);
  const devices = (await loadDeviceFacts(deps.store)).filter(inScope);
  const tickMs = Math.max(1000, Math.ceil((to - from) / TICKS_PER_WINDOW / 1000) * 1000);
  const replay = new RuleReplay(
    rule,
    { from, to, tickMs, devices, ...(deps.engine && { engine: deps.engine }) },
    tally.add,
  );
  const deviceIds = new Set(devices.map((d) => d.id));
  for await (const rows of readRuleHistory(deps.store.db, { condition, deviceIds, from, to })) {
    for (const history of rows) replayed[history.kind === 'sample' ? 'samples' : 'events']++;
    if (replayed.samples + replayed.events > RULE_PREVIEW_MAX_ROWS)
      throw new BadRequestError(
        `the preview would replay over ${RULE_PREVIEW_MAX_ROWS} stored rows on ${deps.nodePath}: narrow the rule's scope or the window`,
      );
    replay.feed(rows);
  }
  replay.finish();
  return tally.result(replayed, selfCoverage(deps.nodePath, elapsedSince(started)));
}
