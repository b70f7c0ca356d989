import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

/** A key pair and self-signed certificate made by the real openssl, as an IdP's signing credential. */
export interface TestKeyPair {
  privateKey: string;
  certificate: string;
}

export async function makeKeyPair(commonName: string): Promise<TestKeyPair> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-saml-'));
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${commonName}`,
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ]);
    return { privateKey: await readFile(path.join(dir, 'key.pem'), 'utf8'), certificate: await readFile(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The AuthnRequest carried by an HTTP-Redirect binding URL (SAMLRequest: deflated, base64). */
export function authnRequestOf(redirectUrl: string): { id: string; xml: string; signed: boolean } {
  const url = new URL(redirectUrl);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return { id: /\bID="([^"]+)"/.exec(xml)![1], xml, signed: url.searchParams.has('Signature') };
}

export interface AssertionInput {
  issuer: string;
  inResponseTo: string;
  audience: string;
  acsUrl: string;
  email: string;
  groups?: string[];
  /** when the assertion stops being valid, relative to now (default +5 min) */
  notOnOrAfterMs?: number;
  notBeforeMs?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** A SAML 2.0 Response as an IdP sends it, with its Assertion unsigned. */
export function samlResponseXml(a: AssertionInput): string {
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  const id = () => `_${randomBytes(16).toString('hex')}`;
  const until = at(a.notOnOrAfterMs ?? 5 * 60_000);
  const groups = (a.groups ?? []).map((g) => `<saml:AttributeValue>${esc(g)}</saml:AttributeValue>`).join('');
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id()}" Version="2.0" IssueInstant="${at(0)}" Destination="${esc(a.acsUrl)}" InResponseTo="${esc(a.inResponseTo)}">`
    + `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>`
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + `<saml:Assertion ID="${id()}" Version="2.0" IssueInstant="${at(a.notBeforeMs ?? 0)}">`
    + `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(a.email)}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${esc(a.inResponseTo)}" NotOnOrAfter="${until}" Recipient="${esc(a.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${at(a.notBeforeMs ?? -60_000)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${esc(a.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${id()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${esc(a.email)}</saml:AttributeValue></saml:Attribute>${groups ? `<saml:Attribute Name="groups">${groups}</saml:Attribute>` : ''}</saml:AttributeStatement>`
    + '</saml:Assertion></samlp:Response>';
}

/** Signs the Assertion of a Response with xml-crypto (enveloped, exclusive c14n, RSA-SHA256), the signature after its Issuer. */
export function signAssertion(xml: string, key: TestKeyPair): string {
  const sig = new SignedXml({
    privateKey: key.privateKey, publicCert: key.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/** The IdP's metadata document, as published at its metadata URL. */
export function idpMetadataXml(entityId: string, ssoUrl: string, certificate: string): string {
  const der = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(entityId)}">`
    + '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
    + `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(ssoUrl)}"/>`
    + '</md:IDPSSODescriptor></md:EntityDescriptor>';
}
