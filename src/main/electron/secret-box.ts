// SecretBox on Electron's safeStorage (OS keychain / DPAPI / libsecret). safeStorage is only
// usable after app 'ready'; it is passed in so this module stays testable without Electron.
import type { SecretBox } from '../core/ports';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(blob: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class SecretBoxUnavailableError extends Error {
  readonly code = 'secret_box_unavailable';
  constructor(message = 'OS-level encryption (safeStorage) is not available, so credentials cannot be stored or read') {
    super(message);
    this.name = 'SecretBoxUnavailableError';
  }
}

export function createSafeStorageSecretBox(safeStorage: SafeStorageLike): SecretBox {
  // Checked on every call, not once: on Linux the keyring can come up after launch.
  const ensure = () => {
    if (!safeStorage.isEncryptionAvailable()) throw new SecretBoxUnavailableError();
  };
  return {
    encrypt(plain) {
      ensure();
      return safeStorage.encryptString(plain);
    },
    decrypt(blob) {
      ensure();
      return safeStorage.decryptString(blob);
    },
  };
}

/** Linux without a keyring falls back to a hard-coded key: usable, but worth a warning. */
export function isWeakBackend(safeStorage: SafeStorageLike): boolean {
  return process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
}
