import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import { createVault, type Vault } from './vault';

/**
 * `RELAIS_MASTER_KEY` is `<base64 32 bytes>` or `<id>:<base64>[,<id>:<base64>...]`; the first key is
 * current, the others only decrypt. Without it, development and test use a generated key kept in
 * `$RELAIS_DATA_DIR/master.key` (0600); production refuses to start.
 */
export function loadVault(config: Config, warn: (line: string) => void): Vault {
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
  return parseKeySpec(spec);
}

export function parseKeySpec(spec: string): Vault {
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
    keys.set(id, key);
  }
  const [currentKeyId] = keys.keys();
  if (!currentKeyId) throw new Error('RELAIS_MASTER_KEY is empty');
  try {
    return createVault(keys, currentKeyId);
  } catch (error) {
    throw new Error(`RELAIS_MASTER_KEY: ${(error as Error).message}`, { cause: error });
  }
}
