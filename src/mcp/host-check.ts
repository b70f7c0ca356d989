import { isIP } from 'node:net';

/**
 * Stops DNS rebinding against /mcp: a web page on evil.example whose name was re-pointed at this
 * server (or at a desktop's localhost) sends `Host: evil.example` and a foreign `Origin`. Allowed
 * hosts: ATLANTAS_URL's, loopback names and IP literals (a rebinding attack needs a DNS name).
 * Pure.
 */
export function hostProblem(headers: { host?: string; origin?: string }, publicUrl: string | undefined): string | null {
  const allowed = (hostname: string) => isIP(hostname) !== 0 || hostname === 'localhost' || (!!publicUrl && hostname === new URL(publicUrl).hostname);
  const host = hostnameOf(headers.host ?? '');
  if (!host || !allowed(host)) return `Host "${headers.host ?? ''}" is not this server; set ATLANTAS_URL to the address clients use`;
  if (headers.origin && headers.origin !== 'null') {
    let origin: string;
    try {
      origin = new URL(headers.origin).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return `Origin "${headers.origin}" is not a URL`;
    }
    if (!allowed(origin)) return `Origin "${headers.origin}" may not call this server`;
  }
  return null;
}

function hostnameOf(host: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return m ? m[1]!.toLowerCase() : '';
}
