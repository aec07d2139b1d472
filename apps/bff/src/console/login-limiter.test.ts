import { describe, expect, it } from 'vitest';
import { addressKey } from './login-limiter.ts';

describe('addressKey', () => {
  it('keeps IPv4 addresses, including IPv4-mapped IPv6 ones, as they are', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('limits IPv6 clients by their /64', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });

  it('keeps anything else as it came', () => {
    expect(addressKey('unix-socket')).toBe('unix-socket');
  });
});
