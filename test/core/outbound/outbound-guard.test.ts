import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { assertOutboundUrl, guardedFetch, guardedLookup, isPrivateAddress, outboundFetch } from '../../../src/core/outbound/outbound-guard.js';

const closed = { allowPrivate: false };
const open = { allowPrivate: true };

describe('outbound guard: URLs a tenant chose do not reach the server’s own network', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('internal answer');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '140.82.112.3', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => expect(isPrivateAddress(address)).toBe(false));

  it('refuses loopback, link-local and names that resolve to them, naming the setting and the fix', async () => {
    for (const url of [`${base}/x`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://localhost:9/']) {
      const err = await assertOutboundUrl(url, closed, 'config.registry_url').catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^config\.registry_url: .* loopback, private or link-local address/);
      expect((err as Error).message).toContain('ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true');
    }
    const before = hits;
    await expect(outboundFetch(`${base}/x`, {}, closed, 'issuer_url')).rejects.toThrow(/issuer_url/);
    expect(hits).toBe(before);
  });

  it('checks the name again when connecting: a name that resolves to loopback by then is refused before any byte is sent', async () => {
    // what a rebinding name does after it passed the first check: resolve to the server's own loopback
    const port = (server.address() as AddressInfo).port;
    const before = hits;
    const err = await guardedFetch(`http://localhost:${port}/x`, {}, 'notification url').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { code?: string }).code).toBe('outbound_url_private');
    expect((err as Error).message).toMatch(/^notification url: localhost resolved to (127\.0\.0\.1|::1) when connecting/);
    expect(hits).toBe(before);
  });

  it('lets the connection resolve a public address as the caller asked (one address, or all)', async () => {
    const one = await new Promise<unknown[]>((resolve) => guardedLookup('8.8.8.8', {}, (...args) => resolve(args)));
    expect(one).toEqual([null, '8.8.8.8', 4]);
    const all = await new Promise<unknown[]>((resolve) => guardedLookup('8.8.8.8', { all: true }, (...args) => resolve(args)));
    expect(all).toEqual([null, [{ address: '8.8.8.8', family: 4 }]]);
  });

  it('refuses what is not an http(s) URL, and credentials in the URL', async () => {
    await expect(assertOutboundUrl('file:///etc/passwd', open, 'webhook')).rejects.toThrow(/webhook: only http and https/);
    await expect(assertOutboundUrl('nonsense', open, 'webhook')).rejects.toThrow(/webhook: "nonsense" is not a URL/);
    await expect(assertOutboundUrl('https://user:pw@example.com/', open, 'webhook')).rejects.toThrow(/credentials in the URL/);
  });

  it('with private addresses allowed, calls them but never follows a redirect', async () => {
    const ok = await outboundFetch(`${base}/x`, {}, open, 'issuer_url');
    expect(await ok.text()).toBe('internal answer');
    const redirected = await outboundFetch(`${base}/redirect`, {}, open, 'issuer_url');
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
  });

  it('is closed unless the operator opens it', () => {
    expect(loadConfig({}).allowPrivateWebhooks).toBe(false);
    expect(loadConfig({ ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: 'true' }).allowPrivateWebhooks).toBe(true);
  });
});
