import { describe, expect, it } from 'vitest';
import { alertKeyOf, compareEventKeys } from '../contract/order-keys.ts';
import { compareAlerts, type AlertOrderFields } from './order.ts';

const alert = (id: string, severity: AlertOrderFields['severity'], startedAt: number, nodePath = 'd/p') => ({
  id,
  severity,
  startedAt,
  nodePath,
});

describe('compareAlerts', () => {
  it('puts the most severe first, then the newest start, then node path, then id', () => {
    const alerts = [
      alert('a', 'warning', 300),
      alert('b', 'critical', 100),
      alert('c', 'critical', 200),
      alert('d', 'critical', 200, 'd-2/p'),
      alert('e', 'critical', 200, 'd/p/q'),
      alert('f', 'critical', 200, 'd/p/q'),
    ];
    expect(alerts.sort(compareAlerts).map((a) => a.id)).toEqual(['c', 'e', 'f', 'd', 'b', 'a']);
  });

  it('orders alerts exactly as alerts.list pages them (its keyset order)', () => {
    const alerts = [
      alert('\u{1F600}', 'info', 5),
      alert('\uFF21', 'info', 5),
      alert('x', 'critical', 2 ** 45),
      alert('y', 'critical', 2 ** 44 + 1),
      alert('z', 'warning', 0, 'a-b'),
      alert('z', 'warning', 0, 'a/x'),
    ];
    const byKeys = [...alerts].sort((a, b) => compareEventKeys(alertKeyOf(a), alertKeyOf(b)));
    expect([...alerts].sort(compareAlerts)).toEqual(byKeys);
  });
});
