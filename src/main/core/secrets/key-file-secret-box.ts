// Headless SecretBox: AES-256-GCM with a random 32-byte key kept in DATA_DIR/secret.key (0600).
// Blob layout: version(1) | iv(12) | tag(16) | ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { SecretBox } from '../ports';

const VERSION = 1;

export class SecretBoxError extends Error {
  readonly code = 'secret_box';
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) {
    const key = readFileSync(path);
    if (key.length !== 32) throw new SecretBoxError(`Key file ${path} is not a 32-byte key`);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}

export function createAesSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError('AES-256-GCM needs a 32-byte key');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob) {
      if (blob.length < 29 || blob[0] !== VERSION) throw new SecretBoxError('Unrecognised secret blob');
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 13));
      decipher.setAuthTag(blob.subarray(13, 29));
      try {
        return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('Secret could not be decrypted (wrong key or corrupted data)');
      }
    },
  };
}

export function createKeyFileSecretBox(keyPath: string): SecretBox {
  return createAesSecretBox(loadOrCreateKey(keyPath));
}
