import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  addressAllowed,
  checkWebhookTargets,
  refusalOfUrl,
  resolveAllowedAddresses,
  WebhookTargetRefusedError,
  type ResolveHost,
} from './allowlist.ts';
import { WebhookAllowlistText } from './webhook-config.ts';

const allowlist = (text: string) => WebhookAllowlistText.parse(text);

/** DNS as a table: each name resolves to the given addresses; any other name is not found. */
function fakeDns(table: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('WEBHOOK_ALLOWLIST', () => {
  it('reads host names, wildcard domains, IPs and CIDRs', () => {
    const parsed = allowlist(' Hooks.Example.com, *.example.org ,10.1.2.3, 192.168.0.0/16, fd00::/8,');
    expect(parsed.hosts).toEqual(['hooks.example.com']);
    expect(parsed.domains).toEqual(['example.org']);
    expect(parsed.networks.map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual([
      '10.1.2.3/32',
      '192.168.0.0/16',
      'fd00::/8',
    ]);
  });

  it('names every entry it cannot read', () => {
    const result = WebhookAllowlistText.safeParse('ok.example.com,http://x.example.com,10.0.0.0/33,*.*.com');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      '"http://x.example.com": not a host name, IP address or CIDR',
      '"10.0.0.0/33": not a CIDR (e.g. 10.1.0.0/16)',
      '"*.*.com": not a wildcard domain (e.g. *.example.com)',
    ]);
  });
});

describe('refusalOfUrl', () => {
  const list = allowlist('hooks.example.com,*.example.org,10.0.0.0/8');

  it('allows a listed host, a subdomain of a listed wildcard and an IP in a listed network', () => {
    expect(refusalOfUrl('https://hooks.example.com/a?token=x', list)).toBeUndefined();
    expect(refusalOfUrl('http://a.b.example.org:8080/', list)).toBeUndefined();
    expect(refusalOfUrl('http://10.20.30.40/', list)).toBeUndefined();
  });

  it('refuses any scheme but http and https', () => {
    expect(refusalOfUrl('ftp://hooks.example.com/', list)).toBe('the scheme must be http or https');
    expect(refusalOfUrl('file:///etc/passwd', list)).toBe('the scheme must be http or https');
  });

  it('refuses hosts that are not listed, and the bare domain of a wildcard', () => {
    expect(refusalOfUrl('https://evil.example.com/', list)).toBe(
      'host "evil.example.com" is not on WEBHOOK_ALLOWLIST',
    );
    expect(refusalOfUrl('https://example.org/', list)).toBe('host "example.org" is not on WEBHOOK_ALLOWLIST');
    expect(refusalOfUrl('https://hooks.example.com.evil.net/', list)).toMatch(/not on WEBHOOK_ALLOWLIST/);
  });

  it('refuses private, loopback and metadata IPs that no listed network covers, however they are written', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://192.168.1.1/',
    ]) {
      expect(refusalOfUrl(url, list), url).toMatch(/not on WEBHOOK_ALLOWLIST/);
    }
  });
});

describe('addressAllowed', () => {
  const empty = allowlist('');

  it('allows public unicast addresses', () => {
    expect(addressAllowed('93.184.216.34', empty)).toBe(true);
    expect(addressAllowed('2606:2800:220:1:248:1893:25c8:1946', empty)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'unique local'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['100.64.0.1', 'carrier-grade NAT'],
  ])('refuses %s (%s)', (address) => {
    expect(addressAllowed(address, empty)).toBe(false);
  });

  it('allows a private address an IP or CIDR on the allowlist covers', () => {
    const list = allowlist('10.1.0.0/16,127.0.0.1');
    expect(addressAllowed('10.1.2.3', list)).toBe(true);
    expect(addressAllowed('10.2.0.1', list)).toBe(false);
    expect(addressAllowed('127.0.0.1', list)).toBe(true);
    expect(addressAllowed('::ffff:127.0.0.1', list)).toBe(true);
    expect(addressAllowed('127.0.0.2', list)).toBe(false);
  });
});

describe('resolveAllowedAddresses', () => {
  const dns = fakeDns({
    'hooks.example.com': ['93.184.216.34'],
    'sneaky.example.com': ['127.0.0.1'],
    'mixed.example.com': ['93.184.216.34', '10.0.0.7'],
    'lan.example.com': ['10.1.2.3'],
  });

  it('returns the addresses of a name that resolves only to public ones', async () => {
    const addresses = await resolveAllowedAddresses('hooks.example.com', allowlist(''), dns);
    expect(addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses a name that resolves to 127.0.0.1 unless 127.0.0.1 is allowlisted', async () => {
    await expect(
      resolveAllowedAddresses('sneaky.example.com', allowlist('sneaky.example.com'), dns),
    ).rejects.toThrow(
      new WebhookTargetRefusedError(
        'host "sneaky.example.com" resolves to 127.0.0.1 (loopback), which WEBHOOK_ALLOWLIST does not cover',
      ),
    );
    await expect(
      resolveAllowedAddresses('sneaky.example.com', allowlist('sneaky.example.com,127.0.0.1'), dns),
    ).resolves.toHaveLength(1);
  });

  it('refuses a name when any one of its addresses is private', async () => {
    await expect(resolveAllowedAddresses('mixed.example.com', allowlist(''), dns)).rejects.toBeInstanceOf(
      WebhookTargetRefusedError,
    );
  });

  it('allows a private address inside an allowlisted CIDR', async () => {
    await expect(resolveAllowedAddresses('lan.example.com', allowlist('10.1.0.0/16'), dns)).resolves.toEqual([
      { address: '10.1.2.3', family: 4 },
    ]);
  });

  it('refuses "localhost" by its real DNS answer', async () => {
    await expect(resolveAllowedAddresses('localhost', allowlist('localhost'))).rejects.toBeInstanceOf(
      WebhookTargetRefusedError,
    );
  });
});

describe('checkWebhookTargets', () => {
  const dns = fakeDns({ 'hooks.example.com': ['93.184.216.34'], 'sneaky.example.com': ['10.9.9.9'] });
  const list = allowlist('hooks.example.com,sneaky.example.com,offline.example.com');

  it('passes webhooks whose hosts resolve to allowed addresses', async () => {
    await expect(
      checkWebhookTargets([{ id: 'ops', url: 'https://hooks.example.com/x' }], list, dns),
    ).resolves.toEqual([]);
  });

  it('refuses, naming the webhook, a host that resolves to a private address', async () => {
    await expect(
      checkWebhookTargets([{ id: 'pager', url: 'https://sneaky.example.com/x' }], list, dns),
    ).rejects.toThrow(/^webhook "pager": host "sneaky.example.com" resolves to 10.9.9.9 \(private\)/);
  });

  it('refuses, naming the webhook, a host that is not listed', async () => {
    await expect(
      checkWebhookTargets([{ id: 'chat', url: 'https://chat.example.net/' }], list, dns),
    ).rejects.toThrow('webhook "chat": host "chat.example.net" is not on WEBHOOK_ALLOWLIST');
  });

  it('reports a host it cannot resolve now without refusing it (checked again at send)', async () => {
    const unresolved = await checkWebhookTargets(
      [{ id: 'ops', url: 'https://offline.example.com/' }],
      list,
      dns,
    );
    expect(unresolved).toEqual([{ webhookId: 'ops', error: 'getaddrinfo ENOTFOUND offline.example.com' }]);
  });
});
