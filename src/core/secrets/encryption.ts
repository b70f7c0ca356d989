import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';

/** A ciphertext and the id of the key that made it, stored side by side so keys can rotate. */
export interface Sealed {
  keyId: string;
  data: Buffer;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends DomainError {}

/**
 * AES-256-GCM with a random 96-bit IV per message. Layout: version(1) | iv(12) | tag(16) | ct.
 * `aad` binds a ciphertext to where it belongs (e.g. a state id and serial), so a blob copied to
 * another row does not decrypt. The previous key is kept for reading until `atlantas rotate-key`.
 */
export class Encryptor {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous?: Buffer) {
    if (current.length !== 32) throw new Error('encryption key must be 32 bytes');
    this.currentKeyId = keyIdOf(current);
    this.keys.set(this.currentKeyId, current);
    if (previous) this.keys.set(keyIdOf(previous), previous);
  }

  seal(plaintext: Buffer | string, aad = ''): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: this.currentKeyId, data: Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]) };
  }

  open(sealed: Sealed, aad = ''): Buffer {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new DecryptionError(
        `data is encrypted with key ${sealed.keyId}, which is not configured (set it as ATLANTAS_ENCRYPTION_KEY_PREVIOUS)`,
        { code: 'encryption_key_missing' },
      );
    }
    const buf = sealed.data;
    if (buf[0] !== VERSION || buf.length < 1 + IV_BYTES + TAG_BYTES) {
      throw new DecryptionError('ciphertext has an unknown format', { code: 'ciphertext_invalid' });
    }
    const iv = buf.subarray(1, 1 + IV_BYTES);
    const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new DecryptionError('ciphertext failed authentication', { code: 'ciphertext_invalid', cause });
    }
  }

  openString(sealed: Sealed, aad = ''): string {
    return this.open(sealed, aad).toString('utf8');
  }

  /** True when this ciphertext was made with an older key and should be re-sealed. */
  isStale(sealed: Sealed): boolean {
    return sealed.keyId !== this.currentKeyId;
  }

  /** A derived secret for another purpose (e.g. signing JWTs), so operators manage one key. */
  derive(purpose: string): Buffer {
    return createHash('sha256').update(this.keys.get(this.currentKeyId)!).update(`atlantas:${purpose}`).digest();
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
