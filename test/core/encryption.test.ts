import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Encryptor } from '../../src/core/secrets/encryption.js';

describe('Encryptor', () => {
  it('round-trips, never stores the plaintext, and uses a fresh IV each time', () => {
    const enc = new Encryptor(randomBytes(32));
    const a = enc.seal('super secret state', 'state:1');
    const b = enc.seal('super secret state', 'state:1');
    expect(a.data.includes(Buffer.from('super secret'))).toBe(false);
    expect(a.data.equals(b.data)).toBe(false);
    expect(enc.openString(a, 'state:1')).toBe('super secret state');
  });

  it('refuses a ciphertext moved to another row (AAD) or tampered with', () => {
    const enc = new Encryptor(randomBytes(32));
    const sealed = enc.seal('x', 'state:1');
    expect(() => enc.open(sealed, 'state:2')).toThrow(/failed authentication/);
    sealed.data[sealed.data.length - 1] ^= 1;
    expect(() => enc.open(sealed, 'state:1')).toThrow(/failed authentication/);
  });

  it('reads data of the previous key during rotation and names a missing key', () => {
    const oldKey = randomBytes(32);
    const sealedOld = new Encryptor(oldKey).seal('v1');
    const rotated = new Encryptor(randomBytes(32), oldKey);
    expect(rotated.openString(sealedOld)).toBe('v1');
    expect(rotated.isStale(sealedOld)).toBe(true);
    expect(() => new Encryptor(randomBytes(32)).open(sealedOld)).toThrow(/ATLANTAS_ENCRYPTION_KEY_PREVIOUS/);
  });
});
