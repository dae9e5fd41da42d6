import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKeys } from './master-keys';

/**
 * AES-256-GCM encryption of secrets at rest. Each ciphertext names the key that made it, so old data
 * stays readable after a new key becomes current. The associated data binds a ciphertext to its row
 * (e.g. `authorization:<id>`): copied into another row, it no longer decrypts.
 */
export interface Vault {
  readonly currentKeyId: string;
  encrypt(plaintext: Buffer | string, associatedData: string): string;
  decrypt(ciphertext: string, associatedData: string): Buffer;
  encryptJson(value: unknown, associatedData: string): string;
  decryptJson<T>(ciphertext: string, associatedData: string): T;
}

export class VaultError extends Error {
  override name = 'VaultError';
}

export function createVault({ keys, currentKeyId }: MasterKeys): Vault {
  const current = keys.get(currentKeyId);
  if (!current) throw new VaultError(`No key with the current id ${currentKeyId}`);

  const vault: Vault = {
    currentKeyId,
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(associatedData));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return [
        'v1',
        currentKeyId,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    decrypt(ciphertext, associatedData) {
      const [version, keyId, iv, tag, body] = ciphertext.split('.');
      if (version !== 'v1' || !keyId || !iv || !tag || body === undefined)
        throw new VaultError('Not a vault ciphertext');
      const key = keys.get(keyId);
      if (!key) throw new VaultError(`The key ${keyId} that encrypted this value is not configured`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
      } catch {
        throw new VaultError('The value does not decrypt: wrong key or it was moved from another record');
      }
    },
    encryptJson: (value, associatedData) => vault.encrypt(JSON.stringify(value), associatedData),
    decryptJson: <T>(ciphertext: string, associatedData: string) =>
      JSON.parse(vault.decrypt(ciphertext, associatedData).toString('utf8')) as T,
  };
  return vault;
}

/** Key id of a ciphertext, for rotation reports. */
export function keyIdOf(ciphertext: string): string | undefined {
  return ciphertext.split('.')[1];
}
