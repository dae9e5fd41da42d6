import type pg from 'pg';
import { loadAuthorization, saveAuthorization, type AuthorizationRecord } from '../db/authorizations';
import type { ConnectorRegistry } from '../connectors/registry';
import type { Credentials, Settings } from '../connectors/types';
import type { Vault } from '../platform/vault';

/** Refresh a little before expiry so a token does not die in flight. */
const refreshMarginMs = 60_000;

function needsRefresh(credentials: Credentials, now: number): boolean {
  if (credentials.kind !== 'tokens' || !credentials.tokens.refreshToken || !credentials.tokens.expiresAt) return false;
  return Date.parse(credentials.tokens.expiresAt) - refreshMarginMs <= now;
}

/**
 * The authorization's credentials, refreshed first when the access token is (nearly) expired.
 * Refresh is serialized per authorization across all workers and processes by a PostgreSQL
 * transaction-level advisory lock: the second caller waits, re-reads, and finds the new tokens, so a
 * single-use refresh token (Exact Online) is never spent twice. New tokens are stored before use.
 */
export async function freshCredentials(
  deps: { pool: pg.Pool; vault: Vault; connectors: ConnectorRegistry; now?: () => number },
  input: { tenantId: string; authorizationId: string; settings: Settings },
): Promise<AuthorizationRecord> {
  const now = deps.now ?? Date.now;
  const current = await loadAuthorization(deps.pool, deps.vault, input.tenantId, input.authorizationId);
  if (!current) throw new Error(`Authorization ${input.authorizationId} not found`);
  if (!needsRefresh(current.credentials, now())) return current;

  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('authorization-refresh'), hashtext($1))", [input.authorizationId]);
    const locked = await loadAuthorization(client, deps.vault, input.tenantId, input.authorizationId);
    if (!locked || locked.credentials.kind !== 'tokens' || !needsRefresh(locked.credentials, now())) {
      await client.query('commit');
      return locked ?? current;
    }
    const oauth = deps.connectors.implementation(locked.connectorId).oauth;
    if (!oauth) throw new Error(`Connector ${locked.connectorId} has no OAuth refresh`);
    const tokens = await oauth.refresh({ refreshToken: locked.credentials.tokens.refreshToken!, settings: input.settings });
    const credentials: Credentials = {
      kind: 'tokens',
      tokens: { ...tokens, refreshToken: tokens.refreshToken ?? locked.credentials.tokens.refreshToken },
    };
    await saveAuthorization(client, deps.vault, {
      tenantId: input.tenantId,
      connectorId: locked.connectorId,
      credentials,
      replaceId: locked.id,
      scopes: locked.scopes,
    });
    await client.query('commit');
    return { ...locked, credentials };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
