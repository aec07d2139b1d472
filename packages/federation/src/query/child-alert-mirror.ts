import type { Alert } from '@tierscope/shared';
import { mergeAlertStreams, type AlertStreamMember } from './alert-stream.ts';

/**
 * A parent's copy of each child's open alerts, kept by following the child's stream. While a child
 * is unreachable, lists show these (marked stale) instead of dropping them; the stream resumes from
 * its last id when the child is back, so nothing is missed or counted twice.
 */
export class ChildAlertMirror {
  private readonly children = new Map<string, { open: Map<string, Alert>; stop: () => void }>();

  follow(member: AlertStreamMember): void {
    this.unfollow(member.id);
    const open = new Map<string, Alert>();
    const controller = new AbortController();
    this.children.set(member.id, { open, stop: () => controller.abort() });
    void (async () => {
      try {
        for await (const { change } of mergeAlertStreams([member], undefined, controller.signal)) {
          if (change.kind === 'stale' || change.kind === 'fresh') continue;
          if (change.alert.state === 'resolved') open.delete(change.alert.id);
          else open.set(change.alert.id, change.alert);
        }
      } catch {
        // Only an abort ends the merged stream; nothing to report.
      }
    })();
  }

  unfollow(childId: string): void {
    this.children.get(childId)?.stop();
    this.children.delete(childId);
  }

  /** The child's open alerts as last seen, marked stale. */
  staleAlerts(childId: string): Alert[] {
    const child = this.children.get(childId);
    return child ? [...child.open.values()].map((alert) => ({ ...alert, stale: true })) : [];
  }

  stop(): void {
    for (const id of [...this.children.keys()]) this.unfollow(id);
  }
}
