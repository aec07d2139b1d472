import type { DeadLetter, DeadLetterReason } from '@tierscope/shared/schemas';
import { formatBytes, formatTimestamp } from '../../lib/format.ts';

/** Why a payload was refused, in the words of the device API's rules. */
export const REASON_TEXT: Record<DeadLetterReason, string> = {
  oversize: 'Too large',
  'bad-topic': 'Unknown topic',
  'bad-device-id': 'Bad device id',
  'bad-json': 'Not JSON',
  'invalid-payload': 'Invalid payload',
  'unknown-device': 'Unknown device',
  'timestamp-out-of-range': 'Timestamp out of range',
  quarantined: 'Device quarantined',
  'unknown-command': 'Ack of an unknown command',
  'unknown-config': 'Report of an unknown config version',
};

/** Refused payloads with their reason, detail and the start of the payload itself, newest first. */
export function DeadLetterList({ items }: { items: readonly DeadLetter[] }) {
  return (
    <div className="dead-letters" role="region" aria-label="Dead letters, scrollable" tabIndex={0}>
      <ul className="plain-list">
        {items.map((item) => (
          <li key={`${item.nodePath}\u0000${item.id}`} className="dead-letter">
            <span className="pill" data-tone="warn">
              {REASON_TEXT[item.reason]}
            </span>
            <code className="dead-letter-topic" title={item.topic}>
              {item.topic}
            </code>
            <time className="muted num" dateTime={new Date(item.receivedAt).toISOString()}>
              {formatTimestamp(item.receivedAt)}
            </time>
            <p className="dead-letter-detail">
              {item.detail} <span className="muted mono">· {item.nodePath}</span>
            </p>
            <details className="dead-letter-payload">
              <summary>Payload, {formatBytes(item.size)}</summary>
              <code className="payload">{item.payloadPreview || '(empty)'}</code>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}
