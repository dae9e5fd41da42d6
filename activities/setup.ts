import { createHash, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { recordAuditEvent } from '../db/audit';
import { findSharedAuthorization as findShared, saveAuthorization } from '../db/authorizations';
import {
  activateConnection as activateRow,
  endConnectionSetup,
  getConnection,
  lockConnectionStatus,
} from '../db/connections';
import { findOAuthState, insertOAuthState, oauthVerifierAad } from '../db/oauth-states';
import { deleteSubmittedSecret, readSubmittedSecret } from '../db/submitted-secrets';
import type { ConnectorRegistry } from '../connectors/registry';
import { ConnectorError } from '../connectors/errors';
import type { Administration, Settings } from '../connectors/types';
import { inTransaction } from '../db/transaction';
import { recordConnectionWebhookEvent } from '../db/webhook-events';
import type { Config } from '../platform/config';
import { deterministicUuid } from '../platform/ids';
import type { Vault } from '../platform/vault';
import { setupFailureTypes } from '../workflows/setup-messages';
import { refusalsEndTheStep } from './connector-failure';
import { freshCredentials } from './credentials';
import { startWebhooksAfterCommit } from './webhooks';

export interface SetupDeps {
  pool: pg.Pool;
  vault: Vault;
  connectors: ConnectorRegistry;
  /** Where browsers reach our API: OAuth start links and the redirect URI are built from it. */
  publicBaseUrl: string;
  /** Where an activation starts its webhook deliveries (absent: the reconciler starts them). */
  temporal?: Client;
  config?: Config;
}

interface ConnectionRef {
  tenantId: string;
  connectionId: string;
  connectorId: string;
}

export function createSetupActivities(deps: SetupDeps) {
  const { pool, vault, connectors } = deps;
  const redirectUri = `${deps.publicBaseUrl}/v1/oauth/callback`;

  /** Settings of the tenant's connection that uses `authorizationId`, limited to the sign-in step's fields. */
  async function signInSettings(
    tenantId: string,
    connectorId: string,
    authorizationId: string,
  ): Promise<Settings> {
    const { rows } = await pool.query(
      `select settings from connections where tenant_id = $1 and authorization_id = $2 order by updated_at desc limit 1`,
      [tenantId, authorizationId],
    );
    const names = (connectors.descriptor(connectorId)?.fields ?? [])
      .filter((f) => f.step === 'oauth')
      .map((f) => f.name);
    const settings: Settings = rows[0]?.settings ?? {};
    return Object.fromEntries(names.filter((name) => name in settings).map((name) => [name, settings[name]]));
  }

  return {
    /** A usable grant of the tenant at a connector that keeps one grant per tenant (Exact Online). */
    async findSharedAuthorization(input: { tenantId: string; connectorId: string }) {
      const shared = await findShared(pool, input.tenantId, input.connectorId);
      if (!shared) return undefined;
      return { ...shared, settings: await signInSettings(input.tenantId, input.connectorId, shared.id) };
    },

    /** Checks submitted credentials live at the target and stores them encrypted as an authorization. */
    async checkCredentials(
      input: ConnectionRef & {
        secretRef?: string;
        values: Record<string, unknown>;
        settings: Settings;
        replaceAuthorizationId?: string;
      },
    ): Promise<{ authorizationId: string; settings: Settings; accountName: string | null }> {
      const secrets = input.secretRef
        ? await readSubmittedSecret(pool, vault, input.tenantId, input.secretRef)
        : {};
      if (!secrets) throw new Error('The submitted secret is gone; submit the step again.');
      const implementation = connectors.implementation(input.connectorId);
      if (!implementation.checkCredentials) throw new Error(`${input.connectorId} has no credentials step`);
      const checked = await refusalsEndTheStep(() =>
        implementation.checkCredentials!({
          values: { ...input.values, ...secrets },
          settings: input.settings,
        }),
      );
      const authorizationId = await saveAuthorization(pool, vault, {
        tenantId: input.tenantId,
        connectorId: input.connectorId,
        credentials: { kind: 'secrets', secrets: checked.secrets },
        ...(checked.account ? { account: checked.account } : {}),
        replaceId:
          input.replaceAuthorizationId ??
          deterministicUuid(`credentials:${input.secretRef ?? input.connectionId}`),
      });
      if (input.secretRef) await deleteSubmittedSecret(pool, input.tenantId, input.secretRef);
      const settings = { ...input.values, ...checked.settings };
      return { authorizationId, settings, accountName: checked.account?.name ?? null };
    },

    /** Creates a single-use, expiring `state` (with a PKCE verifier where supported) and the start link. */
    async beginOAuth(input: ConnectionRef & { settings: Settings; returnUrl: string; waitMs: number }) {
      const implementation = connectors.implementation(input.connectorId);
      if (!implementation.oauth) throw new Error(`${input.connectorId} has no OAuth step`);
      const stateId = randomBytes(24).toString('base64url');
      const pkce = implementation.descriptor.oauth?.pkce ?? false;
      const verifier = pkce ? randomBytes(48).toString('base64url') : undefined;
      const providerUrl = await refusalsEndTheStep(async () =>
        implementation.oauth!.authorizationUrl({
          state: stateId,
          redirectUri,
          settings: input.settings,
          ...(verifier ? { codeChallenge: createHash('sha256').update(verifier).digest('base64url') } : {}),
        }),
      );
      const expiresAt = new Date(Date.now() + input.waitMs);
      await insertOAuthState(pool, {
        id: stateId,
        tenantId: input.tenantId,
        connectionId: input.connectionId,
        connectorId: input.connectorId,
        providerUrl,
        codeVerifierCiphertext: verifier ? vault.encrypt(verifier, oauthVerifierAad(stateId)) : null,
        redirectUri,
        returnUrl: input.returnUrl,
        expiresAt,
      });
      return {
        stateId,
        startUrl: `${deps.publicBaseUrl}/v1/oauth/start/${stateId}`,
        expiresAt: expiresAt.toISOString(),
      };
    },

    /** Exchanges the code (kept encrypted by the callback route) and stores the tokens encrypted. */
    async completeOAuth(
      input: ConnectionRef & {
        stateId: string;
        codeRef: string;
        settings: Settings;
        replaceAuthorizationId?: string;
      },
    ): Promise<{ authorizationId: string; accountName: string | null; scopes: string[] }> {
      const state = await findOAuthState(pool, input.stateId);
      if (!state || state.connectionId !== input.connectionId || state.tenantId !== input.tenantId) {
        throw new Error('The OAuth state does not belong to this connection');
      }
      const submitted = await readSubmittedSecret(pool, vault, input.tenantId, input.codeRef);
      if (!submitted?.code) throw new Error('The authorization code is gone; sign in again.');
      const implementation = connectors.implementation(input.connectorId);
      const oauth = implementation.oauth!;
      const { tokens, account } = await refusalsEndTheStep(async () => {
        const tokens = await oauth.exchangeCode({
          code: submitted.code!,
          redirectUri: state.redirectUri,
          settings: input.settings,
          ...(state.codeVerifierCiphertext
            ? {
                codeVerifier: vault
                  .decrypt(state.codeVerifierCiphertext, oauthVerifierAad(state.id))
                  .toString('utf8'),
              }
            : {}),
        });
        return {
          tokens,
          account: await oauth.account({ accessToken: tokens.accessToken, settings: input.settings }),
        };
      });
      // A connector with one grant per tenant: the new grant replaces the shared one in place, so every
      // connection using it keeps working (Exact invalidates the old grant anyway).
      const shared = implementation.descriptor.oauth?.sharedAuthorization
        ? await findShared(pool, input.tenantId, input.connectorId)
        : undefined;
      const scopes = tokens.scopes ?? [...(implementation.descriptor.oauth?.scopes ?? [])];
      const authorizationId = await saveAuthorization(pool, vault, {
        tenantId: input.tenantId,
        connectorId: input.connectorId,
        credentials: { kind: 'tokens', tokens },
        account,
        scopes,
        replaceId: input.replaceAuthorizationId ?? shared?.id ?? deterministicUuid(`oauth:${input.stateId}`),
      });
      await deleteSubmittedSecret(pool, input.tenantId, input.codeRef);
      return { authorizationId, accountName: account.name, scopes };
    },

    async listAdministrations(
      input: ConnectionRef & { authorizationId: string; settings: Settings },
    ): Promise<Administration[]> {
      const implementation = connectors.implementation(input.connectorId);
      if (!implementation.listAdministrations)
        throw new Error(`${input.connectorId} lists no administrations`);
      return refusalsEndTheStep(async () => {
        const authorization = await freshCredentials(deps, input);
        const administrations = await implementation.listAdministrations!({
          credentials: authorization.credentials,
          settings: input.settings,
        });
        if (administrations.length === 0) {
          throw new ConnectorError(
            'misconfigured',
            'This account has no administration to share. Sign in with another account.',
          );
        }
        return administrations;
      });
    },

    /**
     * Activation: the connection's settings, authorization, status, the consent record and, when it
     * was not active before, its `connection.active` webhook event, together.
     */
    async activateConnection(
      input: ConnectionRef & {
        mode: 'create' | 'reauthorize';
        authorizationId: string | null;
        settings: Settings;
        consent?: { termsVersion: string; acceptedBy: string; acceptedAt: string; scopes: string[] };
      },
    ): Promise<void> {
      const webhookDeliveries = await inTransaction(pool, async (client) => {
        const previous = await lockConnectionStatus(client, input.tenantId, input.connectionId);
        const activated = await activateRow(client, {
          tenantId: input.tenantId,
          id: input.connectionId,
          mode: input.mode,
          authorizationId: input.authorizationId,
          settings: input.settings,
        });
        if (!activated) {
          const status = (await getConnection(client, input.tenantId, input.connectionId))?.status ?? 'gone';
          throw ApplicationFailure.create({
            type: setupFailureTypes.connectionClosed,
            message: `The connection was ${status} while this setup was finishing; it was not activated. Create a new connection to connect again.`,
            nonRetryable: true,
          });
        }
        if (input.consent) {
          await client.query(
            `insert into consents (id, tenant_id, connection_id, terms_version, accepted_by, accepted_at, scopes)
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (id) do nothing`,
            [
              deterministicUuid(`consent:${input.connectionId}:${input.consent.acceptedAt}`),
              input.tenantId,
              input.connectionId,
              input.consent.termsVersion,
              input.consent.acceptedBy,
              input.consent.acceptedAt,
              input.consent.scopes,
            ],
          );
        }
        await recordAuditEvent(client, {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          kind: input.mode === 'create' ? 'connection.activated' : 'connection.reauthorized',
          detail: { authorizationId: input.authorizationId },
        });
        if (previous === 'active') return [];
        return recordConnectionWebhookEvent(client, {
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          type: 'connection.active',
        });
      });
      await startWebhooksAfterCommit(deps, webhookDeliveries);
    },

    /** Records how a setup ended; a cancelled or expired re-authorization leaves the connection as it was. */
    async endSetup(
      input: ConnectionRef & {
        mode: 'create' | 'reauthorize';
        status: 'cancelled' | 'expired' | 'failed';
        message: string;
      },
    ): Promise<void> {
      if (input.mode === 'create') {
        await endConnectionSetup(pool, {
          tenantId: input.tenantId,
          id: input.connectionId,
          status: input.status,
          message: input.message,
        });
      }
      await recordAuditEvent(pool, {
        tenantId: input.tenantId,
        connectionId: input.connectionId,
        kind: `setup.${input.status}`,
        detail: { mode: input.mode, message: input.message },
      });
    },
  };
}

export type SetupActivities = ReturnType<typeof createSetupActivities>;
