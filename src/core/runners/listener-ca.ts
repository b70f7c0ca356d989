import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Logger } from '../../logger.js';
import type { Encryptor, Sealed } from '../secrets/encryption.js';
import type { Rotatable } from '../secrets/rotation.js';
import type { ListenerCaRepository } from './listener-ca.repository.js';

/**
 * The deployment's listener CA (TFE agent listeners, issue 15 part 6): made at the first join,
 * one row shared by every replica, its private key sealed at rest (and re-sealed by rotate-key).
 * It signs each listener's certificate (CN = the listener's name, a URI SAN naming its id), which
 * a listener may present to a TLS-terminating front of its own; Atlantas itself authenticates a
 * listener's calls with the credential issued at join (see listeners.service.ts).
 */
const subtle = webcrypto.subtle;
/** @peculiar/x509 types its provider as the DOM's Crypto, which this Node build does not declare: it is Node's webcrypto. */
const provider = webcrypto as never;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_AAD = 'listener-ca:1';
const CA_YEARS = 10;
const LISTENER_DAYS = 30;

export interface IssuedCertificate {
  certificate: string;
  privateKey: string;
  caCertificate: string;
  expiresAt: Date;
}


export class ListenerCa implements Rotatable {
  readonly name = 'listener CA key';

  constructor(private readonly deps: { repo: ListenerCaRepository; encryptor: Encryptor }) {}

  /** A new key pair and a certificate for it, signed by the CA. */
  async issue(listener: { id: string; name: string }): Promise<IssuedCertificate> {
    const ca = await this.ca();
    const keys = await subtle.generateKey(ALG, true, ['sign', 'verify']);
    const notBefore = new Date(Date.now() - 60_000);
    const expiresAt = new Date(Date.now() + LISTENER_DAYS * 86_400_000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: [{ CN: [listener.name] }], issuer: ca.cert.subject, notBefore, notAfter: expiresAt,
      signingAlgorithm: ALG, publicKey: keys.publicKey, signingKey: ca.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `urn:atlantas:listener:${listener.id}` }]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, provider),
      ],
    }, provider);
    const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
    return { certificate: cert.toString('pem'), privateKey: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), caCertificate: ca.cert.toString('pem'), expiresAt };
  }

  async rotate(encryptor: Encryptor, log: Logger): Promise<number> {
    const row = await this.deps.repo.read();
    if (!row || !encryptor.isStale(row)) return 0;
    await this.deps.repo.reseal(encryptor.seal(encryptor.open(row, CA_AAD), CA_AAD), row.keyId);
    log.info('listener CA key re-sealed');
    return 1;
  }

  /** The CA, made once: two replicas racing both insert, one row wins and both use it. */
  private async ca(): Promise<{ cert: x509.X509Certificate; key: webcrypto.CryptoKey }> {
    let row = await this.deps.repo.read();
    if (!row) {
      const made = await this.make();
      await this.deps.repo.insertIfAbsent(made.certificate, made.sealed);
      row = (await this.deps.repo.read())!;
    }
    const der = this.deps.encryptor.open(row, CA_AAD);
    const key = await subtle.importKey('pkcs8', der, ALG, false, ['sign']);
    return { cert: new x509.X509Certificate(row.certificate), key };
  }

  private async make(): Promise<{ certificate: string; sealed: Sealed }> {
    const keys = await subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(), name: [{ CN: ['Atlantas listener CA'] }], notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + CA_YEARS * 365 * 86_400_000), signingAlgorithm: ALG, keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
      ],
    }, provider);
    const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
    return { certificate: cert.toString('pem'), sealed: this.deps.encryptor.seal(pkcs8, CA_AAD) };
  }

}

/** A positive 128-bit serial (hex, high bit clear). */
function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}
