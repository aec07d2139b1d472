import { describe, expect, it } from 'vitest';
import { QuarantineList } from './quarantine-list.ts';

const AT = 1_750_000_000_000;

describe('QuarantineList', () => {
  it('holds a quarantine from its start until `until`, after which it lifts by itself', () => {
    const list = new QuarantineList([['pump-7', { reason: 'tamper', until: AT + 1000, by: 'ops', at: AT }]]);
    expect(list.activeAt('pump-7', AT - 1)).toBeUndefined();
    expect(list.activeAt('pump-7', AT)?.reason).toBe('tamper');
    expect(list.activeAt('pump-7', AT + 999)?.reason).toBe('tamper');
    expect(list.activeAt('pump-7', AT + 1000)).toBeUndefined();
    expect(list.activeAt('pump-8', AT)).toBeUndefined();
  });

  it('holds a quarantine without `until` until it is removed', () => {
    const list = new QuarantineList();
    list.set('pump-7', { reason: 'tamper', until: null, by: 'ops', at: AT });
    expect(list.activeAt('pump-7', AT + 365 * 86_400_000)).toBeDefined();
    list.remove('pump-7');
    expect(list.activeAt('pump-7', AT + 1)).toBeUndefined();
  });

  it('tells each listener of every device quarantined until it stops listening', () => {
    const list = new QuarantineList();
    const heard: string[] = [];
    const stop = list.onQuarantined((id) => heard.push(id));
    list.set('pump-7', { reason: 'tamper', until: null, by: 'ops', at: AT });
    stop();
    list.set('pump-8', { reason: 'tamper', until: null, by: 'ops', at: AT });
    expect(heard).toEqual(['pump-7']);
  });
});
