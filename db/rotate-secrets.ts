import type pg from 'pg';
import { keyIdOf, VaultError, type Vault } from '../platform/vault';
import { authorizationAad } from './authorizations';
import { oauthVerifierAad } from './oauth-states';
import { submittedSecretAad } from './submitted-secrets';
import { webhookSecretAad } from './webhooks';
import { inTransaction } from './transaction';

interface SecretRow {
  id: string;
  tenant_id: string;
}

interface SecretColumn {
  table: string;
  column: string;
  /** The associated data the column's rows were encrypted under. */
  aad: (row: SecretRow) => string;
}

/** Every column that holds vault ciphertext. */
const secretColumns: SecretColumn[] = [
  { table: 'authorizations', column: 'ciphertext', aad: (row) => authorizationAad(row.tenant_id, row.id) },
  {
    table: 'submitted_secrets',
    column: 'ciphertext',
    aad: (row) => submittedSecretAad(row.tenant_id, row.id),
  },
  { table: 'oauth_states', column: 'code_verifier_ciphertext', aad: (row) => oauthVerifierAad(row.id) },
  {
    table: 'webhook_endpoints',
    column: 'secret_ciphertext',
    aad: (row) => webhookSecretAad(row.tenant_id, row.id),
  },
];

export interface ColumnRotation {
  /** `table.column` */
  place: string;
  /** Rows re-encrypted under the current key, counted by the key they were under. */
  reencrypted: Record<string, number>;
  alreadyCurrent: number;
  /** Rows that could not be decrypted (their key is no longer configured, or they were tampered with). */
  failed: Array<{ id: string; keyId: string | undefined; reason: string }>;
}

/**
 * Re-encrypts every stored secret that is not under the vault's current key, while the service runs:
 * one short transaction per row, which locks it (`for update`) so a concurrent writer (a token
 * refresh) waits and then writes its own newer value. Rows already under the current key (written
 * since, or rotated by an earlier run) are skipped, so the command can be re-run at any time.
 */
export async function rotateSecrets(pool: pg.Pool, vault: Vault): Promise<ColumnRotation[]> {
  const report: ColumnRotation[] = [];
  for (const place of secretColumns) {
    const { table, column } = place;
    const result: ColumnRotation = {
      place: `${table}.${column}`,
      reencrypted: {},
      alreadyCurrent: 0,
      failed: [],
    };
    // split_part, not LIKE: key ids may contain `_`, a LIKE wildcard.
    const { rows: stale } = await pool.query<{ id: string }>(
      `select id from ${table} where ${column} is not null and split_part(${column}, '.', 2) <> $1`,
      [vault.currentKeyId],
    );
    for (const { id } of stale) {
      const outcome = await inTransaction(pool, (db) => rotateRow(db, vault, place, id));
      if (outcome?.failure !== undefined)
        result.failed.push({ id, keyId: outcome.keyId, reason: outcome.failure });
      else if (outcome?.keyId)
        result.reencrypted[outcome.keyId] = (result.reencrypted[outcome.keyId] ?? 0) + 1;
    }
    // Includes rows written under the current key while this ran.
    const { rows: current } = await pool.query<{ count: number }>(
      `select count(*)::int as count from ${table} where split_part(${column}, '.', 2) = $1`,
      [vault.currentKeyId],
    );
    const rotatedNow = Object.values(result.reencrypted).reduce((sum, count) => sum + count, 0);
    // A rotated row may be used up (deleted) before the count: never report less than none.
    result.alreadyCurrent = Math.max(0, current[0]!.count - rotatedNow);
    report.push(result);
  }
  return report;
}

/** Re-encrypts one locked row; undefined when it is gone or already under the current key. */
async function rotateRow(
  db: pg.PoolClient,
  vault: Vault,
  { table, column, aad }: SecretColumn,
  id: string,
): Promise<{ keyId: string | undefined; failure?: string } | undefined> {
  const { rows } = await db.query<SecretRow & { ciphertext: string | null }>(
    `select id, tenant_id, ${column} as ciphertext from ${table} where id = $1 for update`,
    [id],
  );
  const row = rows[0];
  // Gone (a submitted secret was used) or rewritten meanwhile by the service under the current key.
  if (!row?.ciphertext) return undefined;
  const keyId = keyIdOf(row.ciphertext);
  if (keyId === vault.currentKeyId) return undefined;
  try {
    const reencrypted = vault.encrypt(vault.decrypt(row.ciphertext, aad(row)), aad(row));
    await db.query(`update ${table} set ${column} = $2 where id = $1`, [id, reencrypted]);
    return { keyId };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    return { keyId, failure: error.message };
  }
}
