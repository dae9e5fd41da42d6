import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import { createVault, type Vault } from './vault';

/**
 * The configured master keys by id. The current one encrypts new data; every one still decrypts, so
 * data written under an older key stays readable until `npm run rotate-keys` re-encrypts it. The vault
 * (secrets in PostgreSQL) and the payload codec (Temporal history) both draw their keys from here.
 */
export interface MasterKeys {
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;
}

/**
 * `RELAIS_MASTER_KEY` is `<base64 32 bytes>` or `<id>:<base64>[,<id>:<base64>...]`; the first key is
 * current, the others only decrypt. Without it, development and test use a generated key kept in
 * `$RELAIS_DATA_DIR/master.key` (0600); production refuses to start.
 */
export function loadMasterKeys(config: Config, warn: (line: string) => void): MasterKeys {
  let spec = config.RELAIS_MASTER_KEY;
  if (!spec) {
    if (config.NODE_ENV === 'production') {
      throw new Error(
        'RELAIS_MASTER_KEY is required in production (32 random bytes, base64: `openssl rand -base64 32`)',
      );
    }
    const file = path.join(config.RELAIS_DATA_DIR, 'master.key');
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    }
    chmodSync(file, 0o600);
    warn(`Using the generated development key in ${file}; set RELAIS_MASTER_KEY in production.`);
    spec = readFileSync(file, 'utf8').trim();
  }
  return parseMasterKeys(spec);
}

export function parseMasterKeys(spec: string): MasterKeys {
  const keys = new Map<string, Buffer>();
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const id = separator === -1 ? `k${index + 1}` : entry.slice(0, separator);
    const key = Buffer.from(separator === -1 ? entry : entry.slice(separator + 1), 'base64');
    if (keys.has(id)) throw new Error(`RELAIS_MASTER_KEY: the key id ${id} appears twice`);
    // Ids travel inside ciphertexts (`v1.<id>. ...`) and payload metadata: keep them plain.
    if (!/^[\w-]+$/.test(id))
      throw new Error(`RELAIS_MASTER_KEY: key id ${JSON.stringify(id)} must be letters, digits, - or _`);
    if (key.length !== 32)
      throw new Error(`RELAIS_MASTER_KEY: key ${id} must be 32 bytes (base64), not ${key.length}`);
    keys.set(id, key);
  }
  const [currentKeyId] = keys.keys();
  if (!currentKeyId) throw new Error('RELAIS_MASTER_KEY is empty');
  return { keys, currentKeyId };
}

export function parseKeySpec(spec: string): Vault {
  return createVault(parseMasterKeys(spec));
}
