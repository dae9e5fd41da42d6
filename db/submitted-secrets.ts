import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Vault } from '../platform/vault';

/** Binds a ciphertext to its row (also what `npm run rotate-keys` re-encrypts under). */
export const submittedSecretAad = (tenantId: string, id: string) => `submitted-secret:${tenantId}:${id}`;

/** Encrypts values a user submitted (passwords, keys, OAuth codes) and returns the id workflows carry. */
export async function storeSubmittedSecret(
  pool: pg.Pool,
  vault: Vault,
  tenantId: string,
  values: Record<string, string>,
): Promise<string> {
  const id = randomUUID();
  await pool.query('insert into submitted_secrets (id, tenant_id, ciphertext) values ($1, $2, $3)', [
    id,
    tenantId,
    vault.encryptJson(values, submittedSecretAad(tenantId, id)),
  ]);
  return id;
}

/** Reads a submitted secret; it stays until `deleteSubmittedSecret` so a retried activity finds it again. */
export async function readSubmittedSecret(
  pool: pg.Pool,
  vault: Vault,
  tenantId: string,
  id: string,
): Promise<Record<string, string> | undefined> {
  const { rows } = await pool.query(
    'select ciphertext from submitted_secrets where id = $1 and tenant_id = $2',
    [id, tenantId],
  );
  return rows[0] ? vault.decryptJson(rows[0].ciphertext, submittedSecretAad(tenantId, id)) : undefined;
}

export async function deleteSubmittedSecret(pool: pg.Pool, tenantId: string, id: string): Promise<void> {
  await pool.query('delete from submitted_secrets where id = $1 and tenant_id = $2', [id, tenantId]);
}
