import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [IpAddress, number];

/**
 * Where webhooks may send. A target's host must be listed (exactly, under a `*.` domain, or as an
 * IP inside a listed network), and every address it resolves to must be public unicast unless a
 * listed IP or CIDR covers it: a rule can never be turned into a request to an internal address.
 */
export interface WebhookAllowlist {
  /** Lower-case host names, matched exactly. */
  hosts: string[];
  /** From `*.example.com`: `example.com`, matching its subdomains (not itself). */
  domains: string[];
  /** Listed IPs (as /32 or /128) and CIDRs: allowed as URL hosts and as resolved addresses. */
  networks: Network[];
}

export type AllowlistEntry =
  { kind: 'host'; host: string } | { kind: 'domain'; domain: string } | { kind: 'network'; network: Network };

/** Resolves a host name to every address it has (what `dns.lookup` with `all` returns). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

/** A target refused by the allowlist: never sent to, and not worth retrying. */
export class WebhookTargetRefusedError extends Error {
  override readonly name = 'WebhookTargetRefusedError';
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** One `WEBHOOK_ALLOWLIST` entry, or why it is not one. */
export function parseAllowlistEntry(text: string): AllowlistEntry | string {
  const entry = text.trim().toLowerCase();
  if (entry.includes('/') && ipaddr.isValid(entry.slice(0, entry.indexOf('/')))) {
    if (!ipaddr.isValidCIDR(entry)) return 'not a CIDR (e.g. 10.1.0.0/16)';
    const [address, bits] = ipaddr.parseCIDR(entry);
    return { kind: 'network', network: [address, bits] };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry)) {
    const address = ipaddr.process(entry);
    return { kind: 'network', network: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  if (entry.startsWith('*.')) {
    const domain = entry.slice(2);
    return HOST_NAME.test(domain) ? { kind: 'domain', domain } : 'not a wildcard domain (e.g. *.example.com)';
  }
  return HOST_NAME.test(entry) ? { kind: 'host', host: entry } : 'not a host name, IP address or CIDR';
}

/**
 * Why the URL may not be a webhook target without resolving it (scheme, host not listed), or
 * undefined when it may. Config load refuses such a webhook; the send path checks it again.
 */
export function refusalOfUrl(url: string | URL, allowlist: WebhookAllowlist): string | undefined {
  const target = typeof url === 'string' ? URL.parse(url) : url;
  if (!target) return 'not a URL';
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return 'the scheme must be http or https';
  const host = hostOf(target);
  if (!hostListed(host, allowlist)) return `host "${host}" is not on WEBHOOK_ALLOWLIST`;
  return undefined;
}

/** True when the address may be connected to: covered by a listed network, or public unicast. */
export function addressAllowed(address: string, allowlist: WebhookAllowlist): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address);
  return inListedNetwork(ip, allowlist) || ip.range() === 'unicast';
}

/**
 * Resolves the host and returns its addresses when every one is allowed; throws
 * WebhookTargetRefusedError naming the first forbidden one (and its class) otherwise.
 */
export async function resolveAllowedAddresses(
  hostname: string,
  allowlist: WebhookAllowlist,
  resolve: ResolveHost = resolveHost,
): Promise<LookupAddress[]> {
  const addresses = await resolve(hostname);
  const forbidden = addresses.find((entry) => !addressAllowed(entry.address, allowlist));
  if (forbidden) {
    const range = ipaddr.isValid(forbidden.address) ? ipaddr.process(forbidden.address).range() : 'invalid';
    throw new WebhookTargetRefusedError(
      `host "${hostname}" resolves to ${forbidden.address} (${range}), which WEBHOOK_ALLOWLIST does not cover`,
    );
  }
  if (addresses.length === 0) throw notFound(hostname);
  return addresses;
}

/**
 * A `lookup` for http(s).request that only ever hands the socket allowed addresses: the address
 * checked is the address connected to, so DNS changing between check and connect cannot get past it.
 */
export function allowlistedLookup(
  allowlist: WebhookAllowlist,
  resolve: ResolveHost = resolveHost,
): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (addresses: LookupAddress[]): void => {
      const wanted = ofFamily(addresses, options.family);
      const [first] = wanted;
      if (options.all) callback(null, wanted);
      else if (first) callback(null, first.address, first.family);
      else callback(notFound(hostname), '', 0);
    };
    resolveAllowedAddresses(hostname, allowlist, resolve).then(answer, (error: NodeJS.ErrnoException) =>
      callback(error, '', 0),
    );
  };
}

/** The addresses of the family net asks for (4, 6, 'IPv4', 'IPv6'; 0 or none: any). */
function ofFamily(addresses: LookupAddress[], family: number | string | undefined): LookupAddress[] {
  const wanted = family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : family;
  return wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`host "${hostname}" has no usable address`), { code: 'ENOTFOUND' });
}

/**
 * The full check of configured webhooks at start: throws WebhookTargetRefusedError naming the
 * webhook when its URL or any address its host resolves to is refused. A host that cannot be
 * resolved now (a node cut off from its DNS) is returned, not refused: it is checked again at send.
 */
export async function checkWebhookTargets(
  webhooks: ReadonlyArray<{ id: string; url: string }>,
  allowlist: WebhookAllowlist,
  resolve: ResolveHost = resolveHost,
): Promise<Array<{ webhookId: string; error: string }>> {
  const unresolved: Array<{ webhookId: string; error: string }> = [];
  for (const webhook of webhooks) {
    const refusal = refusalOfUrl(webhook.url, allowlist);
    if (refusal) throw new WebhookTargetRefusedError(`webhook "${webhook.id}": ${refusal}`);
    const host = hostOf(new URL(webhook.url));
    if (ipaddr.isValid(host)) continue;
    try {
      await resolveAllowedAddresses(host, allowlist, resolve);
    } catch (error) {
      if (error instanceof WebhookTargetRefusedError) {
        throw new WebhookTargetRefusedError(`webhook "${webhook.id}": ${error.message}`);
      }
      unresolved.push({ webhookId: webhook.id, error: (error as Error).message });
    }
  }
  return unresolved;
}

/** The URL's host as the allowlist compares it: no IPv6 brackets, no trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function hostListed(host: string, allowlist: WebhookAllowlist): boolean {
  if (ipaddr.isValid(host)) return inListedNetwork(ipaddr.process(host), allowlist);
  return allowlist.hosts.includes(host) || allowlist.domains.some((domain) => host.endsWith(`.${domain}`));
}

function inListedNetwork(ip: IpAddress, allowlist: WebhookAllowlist): boolean {
  return allowlist.networks.some(
    ([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits),
  );
}

function resolveHost(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}
