import type { Severity } from '@tierscope/shared/domain';
import type { DeviceStatus } from '@tierscope/shared/schemas';
import type { NodeStatus } from '../../lib/node-tree.ts';

type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

const DEVICE_TONES: Record<DeviceStatus, Tone> = { online: 'ok', offline: 'bad', unknown: 'neutral' };
const NODE_TONES: Record<NodeStatus, Tone> = { live: 'ok', stale: 'warn', down: 'bad' };

export function DeviceStatusPill({ status }: { status: DeviceStatus }) {
  return (
    <span className="pill" data-tone={DEVICE_TONES[status]}>
      {status}
    </span>
  );
}

export function NodeStatusPill({ status }: { status: NodeStatus }) {
  return (
    <span className="pill" data-tone={NODE_TONES[status]} data-testid="node-status">
      {status}
    </span>
  );
}

export function SeverityLabel({ severity }: { severity: Severity }) {
  return (
    <span className="sev" data-severity={severity}>
      {severity}
    </span>
  );
}
