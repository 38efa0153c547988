import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/**
 * Address ranges a webhook may never reach unless allowlisted (docs/events.md, "SSRF guard"): this host,
 * private networks, link-local (cloud metadata 169.254.169.254 lives there), carrier-grade NAT (Alibaba's
 * metadata 100.100.100.200 too), multicast, reserved and documentation ranges (RFC 6890 special-purpose
 * registries), and their IPv6 counterparts (AWS's IPv6 metadata fd00:ec2::254 is in fc00::/7).
 */
const BLOCKED_V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const BLOCKED_V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique local (private, cloud metadata)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

function rangeList(ranges: Array<[string, number, string]>, type: 'ipv4' | 'ipv6'): Array<[BlockList, string]> {
  return ranges.map(([net, prefix, why]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, type);
    return [list, why];
  });
}
const RANGES_V4 = rangeList(BLOCKED_V4, 'ipv4');
const RANGES_V6 = rangeList(BLOCKED_V6, 'ipv6');

/**
 * Why `address` is not a public unicast address, or null when it is (pure). IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible and NAT64 (64:ff9b::/96) forms are judged by the IPv4 address they carry.
 */
export function blockedReason(address: string): string | null {
  const family = isIP(address);
  if (family === 4) {
    if (address === '255.255.255.255') return 'broadcast';
    for (const [list, why] of RANGES_V4) if (list.check(address, 'ipv4')) return why;
    return null;
  }
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded) return blockedReason(embedded);
    for (const [list, why] of RANGES_V6) if (list.check(address, 'ipv6')) return why;
    return null;
  }
  return 'not an IP address';
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address, else null. Pure. */
export function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** An allowlist of host names and CIDRs (`WEBHOOK_ALLOWED_HOSTS=127.0.0.1,hooks.internal,10.1.0.0/16`). */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly nets = new BlockList();

  /** @throws Error naming an entry that is neither a host name, an address nor a CIDR */
  constructor(entries: string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!entry) continue;
      const [addr, prefix] = entry.split('/');
      const family = isIP(addr);
      if (family && prefix !== undefined) {
        const bits = Number(prefix);
        if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new Error(`WEBHOOK_ALLOWED_HOSTS: bad CIDR "${raw}"`);
        this.nets.addSubnet(addr, bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (family) {
        this.nets.addAddress(addr, family === 4 ? 'ipv4' : 'ipv6');
      } else if (/^[a-z0-9.-]+$/.test(entry)) {
        this.hosts.add(entry);
      } else {
        throw new Error(`WEBHOOK_ALLOWED_HOSTS: "${raw}" is not a host name, address or CIDR`);
      }
    }
  }

  hostAllowed(host: string): boolean {
    return this.hosts.has(host.toLowerCase());
  }

  addressAllowed(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.nets.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** A target the guard accepted: connect to `address` (never re-resolve `host`). */
export interface CheckedTarget {
  url: URL;
  host: string;
  address: string;
  family: 4 | 6;
}

/** The guard refused a target; no connection was made. */
export class TargetRefusedError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`webhook target ${url} refused: ${reason}`);
    this.name = 'TargetRefusedError';
  }
}

/** Resolves a host to its addresses (injectable for tests of rebinding; defaults to the system resolver). */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Checks a webhook URL before an attempt: scheme (https unless `allowHttp`), credentials, then every address
 * the host resolves to. All of them must be public (or allowlisted) so that a name with one public and one
 * private record cannot be used; the caller then connects to the returned address only, so a second lookup
 * (DNS rebinding) never happens.
 * @throws TargetRefusedError with the reason
 */
export async function checkTarget(rawUrl: string, opts: { allowHttp: boolean; allow: AllowList; resolve?: Resolver }): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefusedError(rawUrl, 'not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowHttp)) {
    throw new TargetRefusedError(rawUrl, opts.allowHttp ? 'scheme must be http or https' : 'https required (WEBHOOK_ALLOW_HTTP is off)');
  }
  if (url.username || url.password) throw new TargetRefusedError(rawUrl, 'credentials in the URL');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const hostAllowed = opts.allow.hostAllowed(host);
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new TargetRefusedError(rawUrl, `cannot resolve ${host}: ${(err as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new TargetRefusedError(rawUrl, `${host} has no address`);
  for (const a of addresses) {
    const why = blockedReason(a.address);
    if (why && !hostAllowed && !opts.allow.addressAllowed(a.address)) throw new TargetRefusedError(rawUrl, `${a.address} is ${why}`);
  }
  const first = addresses[0];
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}
