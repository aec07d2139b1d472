import { describe, expect, it } from 'vitest';
import { inQuietHours, QuietHours } from './recipients.ts';

const at = (iso: string) => Date.parse(iso);

describe('inQuietHours', () => {
  const night = QuietHours.parse({ from: '22:00', to: '07:00', timeZone: 'Europe/Prague' });

  it('spans midnight on the clock of its time zone', () => {
    // 21:30 UTC in winter is 22:30 in Prague.
    expect(inQuietHours(night, at('2026-01-10T21:30:00Z'))).toBe(true);
    expect(inQuietHours(night, at('2026-01-10T05:59:00Z'))).toBe(true);
    expect(inQuietHours(night, at('2026-01-10T06:00:00Z'))).toBe(false);
    expect(inQuietHours(night, at('2026-01-10T12:00:00Z'))).toBe(false);
  });

  it('refuses a time zone that does not exist', () => {
    expect(QuietHours.safeParse({ from: '22:00', to: '07:00', timeZone: 'Mars/Olympus' }).success).toBe(
      false,
    );
  });
});
