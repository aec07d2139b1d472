import type { ConfigDifference } from '@tierscope/shared/schemas';

/** One line of a configuration diff: what the device lacks (+) or has instead (−), by JSON path. */
export interface ConfigDiffLine {
  kind: 'added' | 'removed';
  text: string;
}

/** The server's diff as lines: a changed value shows the device's (−) then the desired one (+). */
export function configDiffLines(diff: readonly ConfigDifference[]): ConfigDiffLine[] {
  const line = (kind: ConfigDiffLine['kind'], path: string, value: unknown): ConfigDiffLine => ({
    kind,
    text: `${path || '(document)'}: ${JSON.stringify(value)}`,
  });
  return diff.flatMap((entry) => {
    if (entry.change === 'added') return [line('added', entry.path, entry.desired)];
    if (entry.change === 'removed') return [line('removed', entry.path, entry.reported)];
    return [line('removed', entry.path, entry.reported), line('added', entry.path, entry.desired)];
  });
}
