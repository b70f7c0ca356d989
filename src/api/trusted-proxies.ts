import { BlockList, isIP } from 'node:net';

/**
 * Whose word to take for the client's address. Behind a load balancer the socket peer is the
 * balancer, and the client is in `X-Forwarded-For`; but anyone can send that header, so a hop is
 * believed only when the hop that appended it is a proxy the operator named
 * (ATLANTAS_TRUSTED_PROXIES, CIDRs). The walk goes from the right (the hop nearest to us) and
 * stops at the first address that is not a trusted proxy: that is the client. Without trusted
 * proxies the header is ignored and the peer is the client, so a rotating header cannot make a
 * login limit forget an attacker. Pure.
 */
export class TrustedProxies {
  private constructor(private readonly list: BlockList, readonly cidrs: readonly string[]) {}

  static parse(cidrs: readonly string[]): TrustedProxies {
    const list = new BlockList();
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (typeof parsed === 'string') throw new Error(parsed);
      list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    return new TrustedProxies(list, cidrs);
  }

  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The client's address for a request from `peer` carrying `forwardedFor` (X-Forwarded-For, possibly empty). */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string {
    let current = normalizeAddress(peer ?? '') ?? '';
    const hops = (forwardedFor ?? '').split(',');
    for (let i = hops.length - 1; i >= 0 && this.trusts(current); i--) {
      const hop = normalizeAddress(hops[i]);
      if (!hop) break; // not an address: keep the trusted hop that passed it on
      current = hop;
    }
    return current;
  }
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address; a string says what is wrong. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | string {
  const [address, prefixText, extra] = cidr.trim().split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return `"${cidr}" is not an IPv4 or IPv6 address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `"${cidr}" has a bad prefix length (0-${max} for IPv${family})`;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** An address as a proxy may write it (`[::1]:443`, `1.2.3.4:5678`, `::ffff:1.2.3.4`) → the bare IP, or null. */
export function normalizeAddress(raw: string): string | null {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.indexOf(':'));
  if (value.toLowerCase().startsWith('::ffff:') && isIP(value.slice(7)) === 4) value = value.slice(7);
  return isIP(value) ? value : null;
}
