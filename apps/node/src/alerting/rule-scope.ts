import picomatch from 'picomatch';
import type { Rule } from '@tierscope/shared';

export interface DeviceFacts {
  id: string;
  labels: Record<string, string>;
}

export type ScopeMatcher = (device: DeviceFacts) => boolean;

/** A rule's scope as a predicate: the device id matches the glob and every label is equal. */
export function scopeMatcher(scope: Rule['scope']): ScopeMatcher {
  const idMatches = picomatch(scope.devicePattern, { dot: true });
  const labels = Object.entries(scope.labels);
  return (device) => idMatches(device.id) && labels.every(([key, value]) => device.labels[key] === value);
}
