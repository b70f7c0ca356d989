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
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
/** States are megabytes: feeding the cipher slices keeps it from allocating a second copy of the whole. */
const SLICE_BYTES = 1024 * 1024;

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
    const input = typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(aad));
    // GCM's ciphertext is as long as the plaintext: write it straight behind the header.
    const data = Buffer.allocUnsafe(HEADER_BYTES + input.length);
    data[0] = VERSION;
    iv.copy(data, 1);
    const end = pipeInto(cipher, input, data, HEADER_BYTES);
    if (end !== data.length) throw new Error('cipher output has an unexpected length');
    cipher.getAuthTag().copy(data, 1 + IV_BYTES);
    return { keyId: this.currentKeyId, data };
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
      const plaintext = Buffer.allocUnsafe(buf.length - HEADER_BYTES);
      pipeInto(decipher, buf.subarray(HEADER_BYTES), plaintext, 0); // final() inside checks the tag before anything is returned
      return plaintext;
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

/** Runs `input` through a cipher or decipher into `out` from `at`, ending with final(); returns where the output ended. */
function pipeInto(c: { update(b: Buffer): Buffer; final(): Buffer }, input: Buffer, out: Buffer, at: number): number {
  for (let i = 0; i < input.length; i += SLICE_BYTES) at += c.update(input.subarray(i, i + SLICE_BYTES)).copy(out, at);
  return at + c.final().copy(out, at);
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
