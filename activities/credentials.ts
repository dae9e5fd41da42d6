import type pg from 'pg';
import {
  countTokenRefresh,
  loadAuthorization,
  saveAuthorization,
  type AuthorizationRecord,
} from '../db/authorizations';
import type { ConnectorRegistry } from '../connectors/registry';
import type { Credentials, Settings, TokenSet } from '../connectors/types';
import { inTransaction } from '../db/transaction';
import { recordConnectionWebhookEvent } from '../db/webhook-events';
import type { WebhookDeliveryRef } from '../db/webhooks';
import type { Vault } from '../platform/vault';

/** Refresh a little before expiry so a token does not die in flight. */
const refreshMarginMs = 60_000;

/**
 * Whether tokens are due for a refresh at `now`: from `refreshMarginMs` before expiry, but never
 * sooner than `minTokenAgeMs` after they were issued (Exact refuses a refresh before 570 s; its
 * tokens live 600 s, so the window is the last 30 s). Tokens stored without `issuedAt` fall back to
 * the margin alone: a refused early refresh is rate-limited and retried.
 */
export function refreshDue(tokens: TokenSet, now: number, minTokenAgeMs = 0): boolean {
  if (tokens.expiresAt === undefined) return false;
  let dueAt = Date.parse(tokens.expiresAt) - refreshMarginMs;
  if (tokens.issuedAt !== undefined && minTokenAgeMs > 0) {
    dueAt = Math.max(dueAt, Date.parse(tokens.issuedAt) + minTokenAgeMs);
  }
  return dueAt <= now;
}

/**
 * Tokens need a refresh when they are due (see refreshDue), or when the target just refused the very
 * access token still stored (if another worker refreshed meanwhile, the stored one differs: use it).
 */
function needsRefresh(
  credentials: Credentials,
  now: number,
  minTokenAgeMs: number,
  rejectedAccessToken?: string,
): boolean {
  if (credentials.kind !== 'tokens' || !credentials.tokens.refreshToken) return false;
  if (rejectedAccessToken !== undefined) return credentials.tokens.accessToken === rejectedAccessToken;
  return refreshDue(credentials.tokens, now, minTokenAgeMs);
}

/**
 * The authorization's credentials, refreshed first when the access token is (nearly) expired.
 * Refresh is serialized per authorization across all workers and processes by a PostgreSQL
 * transaction-level advisory lock: the second caller waits, re-reads, and finds the new tokens, so a
 * single-use refresh token (Exact Online) is never spent twice. New tokens are stored before use.
 */
export async function freshCredentials(
  deps: { pool: pg.Pool; vault: Vault; connectors: ConnectorRegistry; now?: () => number },
  input: { tenantId: string; authorizationId: string; settings: Settings; rejectedAccessToken?: string },
): Promise<AuthorizationRecord> {
  const now = deps.now ?? Date.now;
  const current = await loadAuthorization(deps.pool, deps.vault, input.tenantId, input.authorizationId);
  if (!current) throw new Error(`Authorization ${input.authorizationId} not found`);
  const minTokenAgeMs =
    deps.connectors.descriptor(current.connectorId)?.oauth?.minTokenAgeBeforeRefreshMs ?? 0;
  if (!needsRefresh(current.credentials, now(), minTokenAgeMs, input.rejectedAccessToken)) return current;

  let refreshing = false;
  return inTransaction(deps.pool, async (client) => {
    await client.query("select pg_advisory_xact_lock(hashtext('authorization-refresh'), hashtext($1))", [
      input.authorizationId,
    ]);
    const locked = await loadAuthorization(client, deps.vault, input.tenantId, input.authorizationId);
    if (
      !locked ||
      locked.credentials.kind !== 'tokens' ||
      !needsRefresh(locked.credentials, now(), minTokenAgeMs, input.rejectedAccessToken)
    ) {
      return locked ?? current;
    }
    const oauth = deps.connectors.implementation(locked.connectorId).oauth;
    if (!oauth) throw new Error(`Connector ${locked.connectorId} has no OAuth refresh`);
    refreshing = true;
    const tokens = await oauth.refresh({
      refreshToken: locked.credentials.tokens.refreshToken!,
      settings: input.settings,
    });
    refreshing = false;
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
    await countTokenRefresh(client, locked.id, 'refreshed');
    return { ...locked, credentials };
  }).catch(async (error: unknown) => {
    // The transaction rolled back; a refusal (or no answer) from the provider is counted on its own.
    if (refreshing)
      await countTokenRefresh(deps.pool, input.authorizationId, 'failed').catch(() => undefined);
    throw error;
  });
}

/**
 * The target refused the authorization for good (revoked grant, spent refresh token): the
 * authorization and every connection using it need the user to sign in again. Each connection that was
 * active records its `connection.needs-reauth` webhook event in the same transaction; returns the
 * webhook deliveries to start once committed.
 */
export async function markAuthorizationExpired(
  pool: pg.Pool,
  tenantId: string,
  connectionId: string,
  message: string,
): Promise<WebhookDeliveryRef[]> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query(
      `with target as (select authorization_id from connections where id = $1 and tenant_id = $2),
            auth as (update authorizations set status = 'needs-reauth', updated_at = now()
                      where id = (select authorization_id from target) and tenant_id = $2 returning id)
       update connections set status = 'needs-reauth', status_message = $3, updated_at = now()
        where tenant_id = $2 and status = 'active'
          and (id = $1 or authorization_id = (select authorization_id from target))
       returning id`,
      [connectionId, tenantId, message],
    );
    const started: WebhookDeliveryRef[] = [];
    for (const row of rows) {
      started.push(
        ...(await recordConnectionWebhookEvent(db, {
          tenantId,
          connectionId: row.id,
          type: 'connection.needs-reauth',
        })),
      );
    }
    return started;
  });
}
