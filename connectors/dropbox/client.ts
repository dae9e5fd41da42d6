import { z } from 'zod';
import { ConnectorError, retryAfterMs } from '../errors';
import type { Account, ConnectorImplementation, TokenSet } from '../types';
import { requireClientId, type DropboxConfig } from './config';
import { dropboxDescriptor } from './descriptor';
import { classifyApiError, createDropboxClient, createDropboxFetch, transientError } from './transport';

/**
 * Dropbox's OAuth 2 authorization code flow with PKCE and `token_access_type=offline`.
 *
 * The token calls go straight to /oauth2/token with fetch instead of through the SDK's DropboxAuth:
 * DropboxAuth puts the code, the verifier and the client secret in the URL query without encoding,
 * sends either the secret or the verifier but not both, and wants to generate the PKCE verifier itself,
 * while ours comes from the activity layer. The SDK still makes the API call (users/get_current_account).
 */
export function createDropboxOAuth(config: DropboxConfig): NonNullable<ConnectorImplementation['oauth']> {
  const dropboxFetch = createDropboxFetch(config);

  async function requestTokens(
    grant: 'sign-in' | 'refresh',
    form: Record<string, string>,
  ): Promise<TokenResponse> {
    const body = new URLSearchParams({ ...form, client_id: requireClientId(config) });
    if (config.clientSecret) body.set('client_secret', config.clientSecret);
    const response = await dropboxFetch('https://api.dropboxapi.com/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw classifyTokenError(grant, response, text);
    const parsed = tokenResponseSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      throw new ConnectorError(
        'unavailable',
        'Dropbox sent an unexpected answer to the sign-in. Trying again later.',
        { status: response.status },
      );
    }
    return parsed.data;
  }

  return {
    authorizationUrl({ state, redirectUri, codeChallenge }) {
      const url = new URL(config.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', requireClientId(config));
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      // Offline access is what yields a refresh token; without it the connection would die after four hours.
      url.searchParams.set('token_access_type', 'offline');
      url.searchParams.set('scope', (dropboxDescriptor.oauth?.scopes ?? []).join(' '));
      if (codeChallenge) {
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
      }
      return url.toString();
    },

    async exchangeCode({ code, redirectUri, codeVerifier }) {
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
      };
      if (codeVerifier) form.code_verifier = codeVerifier;
      return toTokenSet(await requestTokens('sign-in', form));
    },

    async refresh({ refreshToken }) {
      const tokens = await requestTokens('refresh', {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      // Dropbox does not rotate refresh tokens: the answer carries none and the old one stays valid.
      return toTokenSet(tokens, refreshToken);
    },

    async account({ accessToken }): Promise<Account> {
      try {
        const { result } = await createDropboxClient(config, accessToken).usersGetCurrentAccount();
        const name = result.name.display_name;
        return { id: result.account_id, name: result.email ? `${name} (${result.email})` : name };
      } catch (error) {
        throw classifyApiError(error, 'tell which account signed in');
      }
    },
  };
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
type TokenResponse = z.infer<typeof tokenResponseSchema>;

function toTokenSet(response: TokenResponse, previousRefreshToken?: string): TokenSet {
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  return {
    accessToken: response.access_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(response.expires_in === undefined
      ? {}
      : { expiresAt: new Date(Date.now() + response.expires_in * 1000).toISOString() }),
    ...(response.scope === undefined ? {} : { scopes: response.scope.split(' ').filter(Boolean) }),
  };
}

/** The token endpoint answers errors the OAuth way: `{"error": "invalid_grant", "error_description": "..."}`. */
function classifyTokenError(grant: 'sign-in' | 'refresh', response: Response, text: string): ConnectorError {
  const status = response.status;
  const transient = transientError(status, retryAfterMs(response.headers.get('retry-after')), 'sign-in');
  if (transient) return transient;
  const body = parseJson(text) as { error?: unknown; error_description?: unknown } | undefined;
  const code = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  const description = typeof body?.error_description === 'string' ? `: ${body.error_description}` : '';
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new ConnectorError(
      'misconfigured',
      `Dropbox does not accept this Relais's app key or secret (${code}). An administrator must check ` +
        'DROPBOX_CLIENT_ID and DROPBOX_CLIENT_SECRET.',
      { status },
    );
  }
  if (grant === 'refresh') {
    return new ConnectorError(
      'auth-expired',
      `Dropbox no longer accepts this connection's sign-in (${code}${description}). Sign in to Dropbox again to reconnect.`,
      { status },
    );
  }
  return new ConnectorError(
    'invalid-credentials',
    `Dropbox refused the sign-in (${code}${description}). Sign in again.`,
    { status },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
