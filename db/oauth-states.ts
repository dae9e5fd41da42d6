import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface OAuthStateRecord {
  id: string;
  tenantId: string;
  connectionId: string;
  connectorId: string;
  providerUrl: string;
  codeVerifierCiphertext: string | null;
  redirectUri: string;
  returnUrl: string;
  browserNonceHash: Buffer | null;
  expiresAt: Date;
  usedAt: Date | null;
}

/** Binds the encrypted PKCE verifier to its state (also what `npm run rotate-keys` re-encrypts under). */
export const oauthVerifierAad = (stateId: string) => `oauth-verifier:${stateId}`;

export const hashNonce = (nonce: string) => createHash('sha256').update(nonce).digest();

function fromRow(row: Record<string, unknown>): OAuthStateRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    connectionId: row.connection_id as string,
    connectorId: row.connector_id as string,
    providerUrl: row.provider_url as string,
    codeVerifierCiphertext: row.code_verifier_ciphertext as string | null,
    redirectUri: row.redirect_uri as string,
    returnUrl: row.return_url as string,
    browserNonceHash: row.browser_nonce_hash as Buffer | null,
    expiresAt: row.expires_at as Date,
    usedAt: row.used_at as Date | null,
  };
}

export async function insertOAuthState(
  pool: pg.Pool,
  state: Omit<OAuthStateRecord, 'browserNonceHash' | 'usedAt'>,
): Promise<void> {
  await pool.query(
    `insert into oauth_states (id, tenant_id, connection_id, connector_id, provider_url, code_verifier_ciphertext,
       redirect_uri, return_url, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (id) do nothing`,
    [
      state.id,
      state.tenantId,
      state.connectionId,
      state.connectorId,
      state.providerUrl,
      state.codeVerifierCiphertext,
      state.redirectUri,
      state.returnUrl,
      state.expiresAt,
    ],
  );
}

export async function findOAuthState(pool: pg.Pool, id: string): Promise<OAuthStateRecord | undefined> {
  // States are base64url; anything else (a NUL byte PostgreSQL would refuse, a huge value) is simply unknown.
  if (!/^[\w-]{1,128}$/.test(id)) return undefined;
  const { rows } = await pool.query('select * from oauth_states where id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Binds the state to the first browser that opens its start link; false when another browser has it. */
export async function bindOAuthState(pool: pg.Pool, id: string, nonce: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update oauth_states set browser_nonce_hash = $2
      where id = $1 and browser_nonce_hash is null and used_at is null and expires_at > now()`,
    [id, hashNonce(nonce)],
  );
  return rowCount === 1;
}

/** Spends the state: true exactly once, for an unexpired, unused state. */
export async function consumeOAuthState(pool: pg.Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update oauth_states set used_at = now() where id = $1 and used_at is null and expires_at > now()`,
    [id],
  );
  return rowCount === 1;
}
