import { describe, expect, it } from 'vitest';
import { createSafeStorageSecretBox, SecretBoxUnavailableError, type SafeStorageLike } from '../../../src/main/electron/secret-box';

function fakeSafeStorage(available: boolean): SafeStorageLike & { available: boolean } {
  const s = {
    available,
    isEncryptionAvailable: () => s.available,
    encryptString: (p: string) => Buffer.from(`enc:${p}`),
    decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
  };
  return s;
}

describe('safeStorage SecretBox', () => {
  it('round-trips through safeStorage', () => {
    const box = createSafeStorageSecretBox(fakeSafeStorage(true));
    const blob = box.encrypt('1//refresh');
    expect(blob.toString()).not.toBe('1//refresh');
    expect(box.decrypt(blob)).toBe('1//refresh');
  });

  it('throws a named error while encryption is unavailable, and works once it is', () => {
    const storage = fakeSafeStorage(false);
    const box = createSafeStorageSecretBox(storage);
    expect(() => box.encrypt('x')).toThrow(SecretBoxUnavailableError);
    try {
      box.decrypt(Buffer.from('enc:x'));
    } catch (err) {
      expect(err).toMatchObject({ name: 'SecretBoxUnavailableError', code: 'secret_box_unavailable' });
    }
    storage.available = true;
    expect(box.decrypt(box.encrypt('x'))).toBe('x');
  });
});
