import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { authnRequestOf, idpMetadataXml, makeKeyPair, samlResponseXml, signAssertion, type AssertionInput, type TestKeyPair } from '../harness/saml-idp.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * SAML sign-in: our AuthnRequest goes out by HTTP-Redirect, the IdP's Response comes back to the
 * ACS as a form POST. The IdP here is the test itself: it reads the request id from the redirect
 * and signs assertions with a key made by openssl, using xml-crypto as a real IdP would.
 */
describe('SSO with SAML', () => {
  let app: TestApp;
  let idpKey: TestKeyPair;
  let spKey: TestKeyPair;
  let attackerKey: TestKeyPair;
  let tenant: { id: string; adminToken: string };
  let provider: any;
  let metadataServer: Server;
  const IDP = 'https://idp.example.test/saml';
  const ENTRY = 'https://idp.example.test/sso';

  beforeAll(async () => {
    [idpKey, spKey, attackerKey] = await Promise.all([makeKeyPair('test-idp'), makeKeyPair('atlantas-sp'), makeKeyPair('attacker')]);
    app = await startTestApp();
    tenant = await app.factories.tenant();
    metadataServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/samlmetadata+xml');
      res.end(idpMetadataXml(IDP, ENTRY, idpKey.certificate));
    });
    await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
    const res = await app.req('POST', '/api/v1/sso-providers', {
      token: tenant.adminToken,
      body: {
        name: 'Corporate SAML', provider_type: 'saml', entry_point: ENTRY, idp_entity_id: IDP, idp_certificate: idpKey.certificate,
        metadata_url: `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}/metadata`,
        sp_private_key: spKey.privateKey, sp_certificate: spKey.certificate,
        group_role_mapping: { 'infra-admins': 'admin' }, allowed_domains: ['corp.example'],
      },
    });
    expect(res.status, res.text).toBe(201);
    provider = res.body;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => metadataServer?.close(resolve));
  });

  /** Starts a login and returns what the IdP needs to answer it. */
  const startLogin = async () => {
    const res = await fetch(`${app.url}/api/v1/auth/sso/${provider.id}/start`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${ENTRY}?`)).toBe(true);
    return authnRequestOf(location);
  };
  const assertion = (inResponseTo: string, over: Partial<AssertionInput> = {}): AssertionInput => ({
    issuer: IDP, inResponseTo, audience: provider.sp_metadata_url, acsUrl: provider.redirect_uri, email: 'bob@corp.example', groups: ['infra-admins'], ...over,
  });
  const post = (xml: string) => app.req('POST', `/api/v1/auth/sso/${provider.id}/acs`, {
    rawBody: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: '' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  it('accepts an assertion signed by the IdP\'s key: JIT user, groups mapped to a role, a normal session', async () => {
    const request = await startLogin();
    expect(request.signed).toBe(true); // the SP key signs our AuthnRequests
    expect(request.xml).toContain(`AssertionConsumerServiceURL="${provider.redirect_uri}"`);
    const res = await post(signAssertion(samlResponseXml(assertion(request.id)), idpKey));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer' });
    const me = await app.req('GET', '/api/v1/auth/me', { token: res.body.access_token });
    expect(me.body).toMatchObject({ email: 'bob@corp.example', role: 'admin', tenant_id: tenant.id });
    const plain = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { email: 'pat@corp.example', groups: ['staff'] })), idpKey));
    expect((await app.req('GET', '/api/v1/auth/me', { token: plain.body.access_token })).body).toMatchObject({ email: 'pat@corp.example', role: 'viewer' });
  });

  it('accepts an assertion once: the same response posted again is refused', async () => {
    const signed = signAssertion(samlResponseXml(assertion((await startLogin()).id)), idpKey);
    expect((await post(signed)).status).toBe(200);
    const replay = await post(signed);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/refused/);
  });

  it('refuses an unsigned assertion, a tampered one, and one signed by another key', async () => {
    const unsigned = await post(samlResponseXml(assertion((await startLogin()).id)));
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ code: 'sso.invalid_response', detail: expect.stringMatching(/^the SAML response was refused: .*signature/i) });

    const signed = signAssertion(samlResponseXml(assertion((await startLogin()).id, { email: 'bob@corp.example' })), idpKey);
    const tampered = await post(signed.replaceAll('bob@corp.example', 'mallory@corp.example'));
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ code: 'sso.invalid_response', detail: expect.stringMatching(/signature/i) });

    const forged = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { email: 'mallory@corp.example' })), attackerKey));
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toMatch(/signature/i);
    expect(await app.sql('SELECT id FROM users WHERE email = :e', { e: 'mallory@corp.example' })).toEqual([]);
  });

  it('refuses a wrong audience, an expired or not yet valid assertion, and one answering no request of ours', async () => {
    const wrongAudience = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { audience: 'https://another-sp.example/metadata' })), idpKey));
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body.detail).toMatch(/audience/i);

    const expired = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { notBeforeMs: -20 * 60_000, notOnOrAfterMs: -10 * 60_000 })), idpKey));
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/subject confirmation|expired/i); // its bearer confirmation ran out with it
    const early = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { notBeforeMs: 10 * 60_000, notOnOrAfterMs: 20 * 60_000 })), idpKey));
    expect(early.status).toBe(401);
    expect(early.body.detail).toMatch(/not yet valid/i);

    const unsolicited = await post(signAssertion(samlResponseXml(assertion('_an-id-we-never-issued')), idpKey));
    expect(unsolicited.status).toBe(401);
    expect(unsolicited.body.detail).toMatch(/InResponseTo/);
  });

  it('refuses a signed assertion for an address outside allowed_domains', async () => {
    const res = await post(signAssertion(samlResponseXml(assertion((await startLogin()).id, { email: 'someone@elsewhere.example' })), idpKey));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('sso.domain_not_allowed');
  });

  it('serves SP metadata with our entity id and ACS, and tests the IdP metadata against the configuration', async () => {
    const metadata = await app.req('GET', `/api/v1/auth/sso/${provider.id}/metadata`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    expect(metadata.text).toContain(`entityID="${provider.sp_metadata_url}"`);
    expect(metadata.text).toContain(`Location="${provider.redirect_uri}"`);

    const report = await app.req('POST', `/api/v1/sso-providers/${provider.id}/test`, { token: tenant.adminToken });
    expect(report.status, report.text).toBe(200);
    expect(report.body).toMatchObject({
      ok: true, provider_type: 'saml', problems: [],
      found: expect.objectContaining({ metadata_entity_id: IDP, metadata_sso_urls: [ENTRY], certificate_in_metadata: true, idp_certificate: expect.objectContaining({ subject: 'CN=test-idp' }) }),
    });
    // the IdP rotated its key: the test says the configured certificate is no longer the one published
    await app.req('PATCH', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken, body: { idp_certificate: attackerKey.certificate } });
    const stale = await app.req('POST', `/api/v1/sso-providers/${provider.id}/test`, { token: tenant.adminToken });
    expect(stale.body.ok).toBe(false);
    expect(stale.body.problems).toContain('idp_certificate: not among the metadata\'s signing certificates');
    await app.req('PATCH', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken, body: { idp_certificate: idpKey.certificate } });
  });

  it('never returns the SP private key and stores it only encrypted', async () => {
    expect(provider).toMatchObject({ has_sp_private_key: true, has_client_secret: false });
    const marker = spKey.privateKey.split('\n')[5]!; // a line of the key's base64 body
    const listed = await app.req('GET', '/api/v1/sso-providers', { token: tenant.adminToken });
    for (const body of [provider, listed.body]) expect(JSON.stringify(body)).not.toContain(marker);
    expect(leakedMarkers(await dumpSchema(app.reuse.schema!), [marker])).toEqual([]);
  });
});
