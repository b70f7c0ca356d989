/**
 * Requests the server makes to addresses a tenant chose (a registry URL of an agent, an IdP's
 * issuer, a webhook): without this guard a tenant admin could make the server call its own
 * loopback services, the cloud metadata endpoint (169.254.169.254) or other hosts on the private
 * network and read the answers back (SSRF). Operators who run those services on purpose on a
 * private network set ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true.
 *
 * The name is checked twice: when the request is made (a clear error for the setting), and again
 * by the connection itself (`guardedAgent`'s lookup), which connects only to the addresses it
 * checked — so a name that answers a public address first and a private one the second time
 * (DNS rebinding) is refused too.
 */
import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { InputError } from '../errors.js';

export interface OutboundPolicy {
  /** ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: also call loopback, private and link-local addresses */
  allowPrivate: boolean;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IP literal) is one a tenant must not make the server call. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/**
 * The URL, parsed, when the server may call it; otherwise an InputError that names `what` (the
 * setting the URL came from) and says how to fix it.
 */
export async function assertOutboundUrl(url: string, policy: OutboundPolicy, what: string): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${what}: "${url}" is not a URL (expected https://host/…)`, { code: 'outbound_url_invalid' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(`${what}: only http and https URLs can be called, not ${parsed.protocol}`, { code: 'outbound_url_invalid' });
  }
  if (parsed.username || parsed.password) {
    throw new InputError(`${what}: credentials in the URL are not accepted; configure them separately`, { code: 'outbound_url_invalid' });
  }
  if (policy.allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new InputError(`${what}: the host ${host} does not resolve`, { code: 'outbound_url_unresolvable' });
    }
  }
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) {
    throw new InputError(
      `${what}: ${host} resolves to ${refused}, a loopback, private or link-local address, which the server does not call ` +
        '(an operator can allow it with ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true)',
      { code: 'outbound_url_private' },
    );
  }
  return parsed;
}

class PrivateAddressRefused extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolved to ${address} when connecting`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The lookup a guarded connection resolves its host with: every address the name answers must be
 * public, and the connection then goes to one of exactly those addresses.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookupCallback(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) return callback(new PrivateAddressRefused(hostname, refused.address) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
  });
}

/** Connections of tenant-chosen URLs: resolved by `guardedLookup`, at connect time. */
const guardedAgent = new Agent({ connect: { lookup: guardedLookup as never } });

/** fetch whose connections are guarded (exported for the rebinding test; callers use outboundFetch). */
export async function guardedFetch(url: URL | string, init: RequestInit, what: string): Promise<Response> {
  try {
    return (await undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher: guardedAgent })) as unknown as Response;
  } catch (err) {
    const refused = (err as { cause?: unknown }).cause;
    if (refused instanceof PrivateAddressRefused) {
      throw new InputError(
        `${what}: ${refused.host} resolved to ${refused.address} when connecting, a loopback, private or link-local address, which the server does not call ` +
          '(an operator can allow it with ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true)',
        { code: 'outbound_url_private' },
      );
    }
    throw err;
  }
}

/**
 * fetch for a URL a tenant chose: checked first, connected only to checked addresses, and a
 * redirect is not followed (it could point anywhere, a private address included); the caller gets
 * the 3xx response as it came.
 */
export async function outboundFetch(url: string, init: RequestInit, policy: OutboundPolicy, what: string): Promise<Response> {
  const checked = await assertOutboundUrl(url, policy, what);
  if (policy.allowPrivate) return fetch(checked, { ...init, redirect: 'manual' });
  return guardedFetch(checked, init, what);
}
