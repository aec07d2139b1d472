import type { Backlog } from '@tierscope/shared';
import type { AlertTransition } from './alert-transitions.ts';

/** The node's own alert for a stalled drain: not a stored rule, so nobody can edit it away. */
export const BACKLOG_STALLED_RULE = {
  id: 'backlog-stalled',
  name: 'Backlog drain stalled',
  severity: 'warning',
} as const satisfies AlertTransition['rule'];

/** One backlog as the alert sees it. */
export interface WatchedBacklog {
  /** Stable across restarts: `ingest`, `webhook:<id>`, `parent:<via>`. */
  key: string;
  /** How the summary names it: `ingest journal`, `webhook ops`. */
  label: string;
  backlog: Backlog;
}

/** An open backlog alert the store holds when the node starts. */
export interface OpenBacklogAlert {
  fingerprint: string;
  startedAt: number;
}

/**
 * Decides the `backlog-stalled` alerts: one per backlog whose trend is `stalled`, fired when it
 * stalls and resolved as soon as it moves again or empties. Pure; the caller stores the transitions.
 */
export class BacklogAlerts {
  /** Open alerts by fingerprint: when each episode started. */
  readonly #open = new Map<string, number>();

  /** Continues the episodes the store says are open, so a restart neither duplicates nor forgets them. */
  restore(alerts: readonly OpenBacklogAlert[]): void {
    for (const alert of alerts) this.#open.set(alert.fingerprint, alert.startedAt);
  }

  /**
   * The transitions the backlogs call for; nothing changes until they are stored and passed to
   * applied(), so a transition the store could not take (its database is what stalls) is decided again.
   */
  evaluate(backlogs: readonly WatchedBacklog[], now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const { key, label, backlog } of backlogs) {
      const fingerprint = fingerprintOf(key);
      seen.add(fingerprint);
      const started = this.#open.get(fingerprint);
      if (backlog.trend === 'stalled' && started === undefined) {
        out.push(transition('fired', fingerprint, now, now, backlog.depth, stalledSummary(label, backlog)));
      } else if (backlog.trend !== 'stalled' && started !== undefined) {
        out.push(transition('resolved', fingerprint, started, now, backlog.depth, `${label} drains again`));
      }
    }
    // A backlog that is gone (a webhook removed from the configuration) owes nothing any more.
    for (const [fingerprint, started] of this.#open) {
      if (seen.has(fingerprint)) continue;
      out.push(transition('resolved', fingerprint, started, now, null, 'the backlog is no longer kept'));
    }
    return out;
  }

  /** The transitions evaluate() returned were stored. */
  applied(transitions: readonly AlertTransition[]): void {
    for (const t of transitions) {
      if (t.kind === 'resolved') this.#open.delete(t.fingerprint);
      else this.#open.set(t.fingerprint, t.episodeStart);
    }
  }
}

function fingerprintOf(key: string): string {
  return `${BACKLOG_STALLED_RULE.id}:${key}`;
}

function stalledSummary(label: string, backlog: Backlog): string {
  const age =
    backlog.oldestAgeMs === null ? '' : `, the oldest for ${Math.round(backlog.oldestAgeMs / 1000)} s`;
  return `${label}: ${backlog.depth} waiting${age}, none drained lately`;
}

function transition(
  kind: 'fired' | 'resolved',
  fingerprint: string,
  episodeStart: number,
  at: number,
  value: number | null,
  summary: string,
): AlertTransition {
  return {
    kind,
    alertId: `${fingerprint}:${episodeStart}`,
    fingerprint,
    rule: BACKLOG_STALLED_RULE,
    deviceId: null,
    episodeStart,
    at,
    value,
    summary,
  };
}
