import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { TrustedProxies } from '../../src/api/trusted-proxies.js';
import { loadConfig } from '../../src/config.js';
import { countAttempt, LOGIN_BACKOFF, secondsBlocked } from '../../src/core/auth/login-backoff.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const login = (app: TestApp, email: string, password: string, forwardedFor?: string) =>
  app.req('POST', '/api/v1/auth/login', { body: { email, password }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

describe('login limits against the real server', () => {
  it('keys the address limit on the socket peer: a rotating X-Forwarded-For does not lift it', async () => {
    const app = await startTestApp({ env: { ATLANTAS_LOGIN_RATE_LIMIT: '4' } });
    onTestFinished(() => app.close());
    // The harness's admin login at start spent one of this address's 4 attempts.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(app, `spray-${i}@example.com`, 'wrong-password', `203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  describe('behind a trusted proxy', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ env: { ATLANTAS_LOGIN_RATE_LIMIT: '3', ATLANTAS_TRUSTED_PROXIES: '127.0.0.0/8,::1/128' } });
    });
    afterAll(() => app?.close());

    it('limits each forwarded client address on its own', async () => {
      const a = [];
      for (let i = 0; i < 4; i++) a.push((await login(app, `a-${i}@example.com`, 'wrong-password', '198.51.100.7')).status);
      expect(a).toEqual([401, 401, 401, 429]);
      // another client behind the same proxy is not affected
      expect((await login(app, 'b@example.com', 'wrong-password', '198.51.100.8')).status).toBe(401);
      // a client cannot pose as another by prepending to the header: the proxy's own hop is what counts
      expect((await login(app, 'c@example.com', 'wrong-password', '10.9.9.9, 198.51.100.7')).status).toBe(429);
    });

    it('backs off one account attacked from many addresses, while another account still logs in', async () => {
      const victim = await app.factories.user({ role: 'member' });
      const bystander = await app.factories.user({ role: 'member' });
      const statuses = [];
      for (let i = 0; i < LOGIN_BACKOFF.freeFailures; i++) statuses.push((await login(app, victim.email, `guess-${i}`, `192.0.2.${i + 1}`)).status);
      expect(statuses).toEqual(Array(LOGIN_BACKOFF.freeFailures).fill(401));

      // Even the right password from a fresh address waits now: the account, not the address, is limited.
      const blocked = await login(app, victim.email, 'a-long-test-password', '192.0.2.200');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(LOGIN_BACKOFF.baseSeconds - 5);
      expect(blocked.body).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/too many failed logins for this account; retry in \d+s/) });
      // an unknown email is treated the same way (existence does not leak through the limit)
      for (let i = 0; i < LOGIN_BACKOFF.freeFailures; i++) await login(app, 'nobody@example.com', `guess-${i}`, `192.0.2.${50 + i}`);
      expect((await login(app, 'nobody@example.com', 'x', '192.0.2.99')).status).toBe(429);

      expect((await login(app, bystander.email, 'a-long-test-password', '192.0.2.1')).status).toBe(200);

      // The backoff is in the database: a restart (or another replica) still refuses.
      const restarted = await app.restart();
      app = restarted;
      expect((await login(restarted, victim.email, 'a-long-test-password', '192.0.2.201')).status).toBe(429);
      // Once the wait is over, the right password logs in and clears the record.
      await restarted.sql("UPDATE login_failures SET blocked_until = now() - interval '1 second'");
      expect((await login(restarted, victim.email, 'a-long-test-password', '192.0.2.202')).status).toBe(200);
      expect((await login(restarted, victim.email, 'wrong', '192.0.2.203')).status).toBe(401);
    });
  });
});

describe('trusted proxies', () => {
  it('walks X-Forwarded-For from the right while the hop is trusted, for IPv4 and IPv6', () => {
    const proxies = TrustedProxies.parse(['10.0.0.0/8', '2001:db8::/32']);
    expect(proxies.clientAddress('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    expect(proxies.clientAddress('::ffff:10.1.2.3', '1.1.1.1, 203.0.113.9, 10.0.0.5')).toBe('203.0.113.9');
    expect(proxies.clientAddress('2001:db8::1', '[2001:db8::2]:443, 2001:db9::7')).toBe('2001:db9::7');
    expect(proxies.clientAddress('203.0.113.1', '10.0.0.1')).toBe('203.0.113.1'); // an untrusted peer's header is ignored
    expect(proxies.clientAddress('10.0.0.1', 'not-an-ip')).toBe('10.0.0.1');
    expect(TrustedProxies.parse([]).clientAddress('::ffff:127.0.0.1', '9.9.9.9')).toBe('127.0.0.1');
  });

  it('stops the server on a bad CIDR or token lifetime, naming the variable', () => {
    expect(() => loadConfig({ ATLANTAS_TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/33, proxy.local' })).toThrow(
      /ATLANTAS_TRUSTED_PROXIES: "10\.0\.0\.0\/33" has a bad prefix length[\s\S]*ATLANTAS_TRUSTED_PROXIES: "proxy\.local" is not an IPv4 or IPv6 address/,
    );
    expect(() => loadConfig({ ATLANTAS_TOKEN_MAX_TTL: '90 days' })).toThrow(/ATLANTAS_TOKEN_MAX_TTL: expected a duration such as 30s, 15m, 12h or 7d/);
    expect(loadConfig({ ATLANTAS_TOKEN_MAX_TTL: '90d', ATLANTAS_TRUSTED_PROXIES: '::1' })).toMatchObject({
      auth: { tokenMaxTtlMs: 90 * 86_400_000 }, http: { trustedProxies: ['::1'] },
    });
  });
});

describe('login backoff policy', () => {
  it('allows a few failures, then doubles the wait up to a ceiling, and forgets after a quiet hour', () => {
    let record = null;
    const t0 = new Date('2026-01-01T00:00:00Z');
    const waits: number[] = [];
    for (let i = 0; i < LOGIN_BACKOFF.freeFailures + 8; i++) {
      record = countAttempt(record, t0);
      waits.push(secondsBlocked(record, t0));
    }
    expect(waits.slice(0, LOGIN_BACKOFF.freeFailures - 1)).toEqual([0, 0, 0, 0]);
    expect(waits.slice(LOGIN_BACKOFF.freeFailures - 1, LOGIN_BACKOFF.freeFailures + 2)).toEqual([15, 30, 60]);
    expect(Math.max(...waits)).toBe(LOGIN_BACKOFF.maxSeconds);
    const later = new Date(t0.getTime() + LOGIN_BACKOFF.forgetAfterMs + 1000);
    expect(countAttempt(record, later)).toMatchObject({ failures: 1, blockedUntil: null });
  });
});
