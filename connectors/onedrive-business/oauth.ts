import * as oauth from 'oauth4webapi';
import { ConnectorError } from '../errors';
import { reasonIn, unreachable } from '../shared/http-failure';
import type { Account, ConnectorImplementation, TokenSet } from '../types';
import { requireClientId, type OneDriveConfig } from './config';
import { classifyGraphError, graphFetch, lenientRetryAfterMs, readGraphError } from './graph-errors';
import { microsoftIdentity } from './identity';

type ReauthCode = keyof typeof microsoftIdentity.reauthCodes;

const reauthReasons: Record<ReauthCode, string> = {
  AADSTS700082: 'the sign-in expired after a long time without use',
  AADSTS50173: 'the sign-in was revoked, for instance after a password change',
  AADSTS70043: "the organization's sign-in frequency policy requires signing in again",
};

export function createOneDriveOAuth(config: OneDriveConfig): NonNullable<ConnectorImplementation['oauth']> {
  const server: oauth.AuthorizationServer = {
    issuer: config.authorityUrl,
    authorization_endpoint: `${config.authorityUrl}${microsoftIdentity.authorizePath}`,
    token_endpoint: `${config.authorityUrl}${microsoftIdentity.tokenPath}`,
  };
  // The contract fake listens on plain http on loopback; the real endpoints are https.
  const requestOptions = server.token_endpoint!.startsWith('http:')
    ? { [oauth.allowInsecureRequests]: true }
    : {};
  const client = (): oauth.Client => ({ client_id: requireClientId(config) });
  // A web app registration authenticates with its secret; a public client relies on PKCE alone [doc].
  const clientAuth = () => (config.clientSecret ? oauth.ClientSecretPost(config.clientSecret) : oauth.None());

  async function tokens(grant: 'sign-in' | 'refresh', send: () => Promise<Response>): Promise<TokenSet> {
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw unreachable(
        'Microsoft sign-in',
        grant === 'refresh' ? 'renew the access' : 'finish the sign-in',
        error,
      );
    }
    if (!response.ok)
      throw classifyTokenError(grant, response.status, await response.text(), response.headers);
    let answer: oauth.TokenEndpointResponse;
    try {
      answer =
        grant === 'refresh'
          ? await oauth.processRefreshTokenResponse(server, client(), response)
          : await oauth.processAuthorizationCodeResponse(server, client(), response);
    } catch (error) {
      throw new ConnectorError(
        'unavailable',
        'Microsoft sent an unexpected answer to the sign-in. Trying again later.',
        {
          cause: error,
        },
      );
    }
    return toTokenSet(answer);
  }

  return {
    authorizationUrl({ state, redirectUri, codeChallenge }) {
      const url = new URL(server.authorization_endpoint!);
      url.searchParams.set('client_id', requireClientId(config));
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('scope', microsoftIdentity.scopes.join(' '));
      url.searchParams.set('state', state);
      for (const [name, value] of Object.entries(microsoftIdentity.authorizeParameters))
        url.searchParams.set(name, value);
      if (codeChallenge) {
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', microsoftIdentity.pkce);
      }
      return url.toString();
    },

    exchangeCode({ code, redirectUri, codeVerifier }) {
      return tokens('sign-in', () => {
        // The activity layer has already checked the state against the browser's; oauth4webapi only
        // needs the code from the callback parameters.
        const callback = oauth.validateAuthResponse(
          server,
          client(),
          new URLSearchParams({ code }),
          oauth.skipStateCheck,
        );
        return oauth.authorizationCodeGrantRequest(
          server,
          client(),
          clientAuth(),
          callback,
          redirectUri,
          codeVerifier ?? oauth.nopkce,
          { ...requestOptions, additionalParameters: { scope: microsoftIdentity.scopes.join(' ') } },
        );
      });
    },

    refresh({ refreshToken }) {
      return tokens('refresh', () =>
        oauth.refreshTokenGrantRequest(server, client(), clientAuth(), refreshToken, {
          ...requestOptions,
          additionalParameters: { scope: microsoftIdentity.scopes.join(' ') },
        }),
      );
    },

    async account({ accessToken }): Promise<Account> {
      // GET /me/drive needs only Files.ReadWrite and proves the account has a OneDrive at all.
      const action = 'tell which OneDrive signed in';
      const response = await graphFetch(
        `${config.graphUrl}/me/drive`,
        {
          headers: { Authorization: `Bearer ${accessToken}` },
        },
        action,
      );
      if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
      const drive = (await response.json()) as {
        id?: string;
        driveType?: string;
        owner?: { user?: { id?: string; displayName?: string; email?: string } };
      };
      if (drive.driveType !== undefined && drive.driveType !== 'business') {
        throw new ConnectorError(
          'invalid-credentials',
          `This account's OneDrive is a ${drive.driveType} OneDrive. Sign in with a work or school account (OneDrive for Business).`,
        );
      }
      const user = drive.owner?.user;
      const name = user?.displayName ?? 'OneDrive';
      return { id: user?.id ?? drive.id ?? 'unknown', name: user?.email ? `${name} (${user.email})` : name };
    },
  };
}

function toTokenSet(answer: oauth.TokenEndpointResponse): TokenSet {
  const now = Date.now();
  return {
    accessToken: answer.access_token,
    ...(answer.refresh_token === undefined ? {} : { refreshToken: answer.refresh_token }),
    ...(answer.expires_in === undefined
      ? {}
      : { expiresAt: new Date(now + answer.expires_in * 1000).toISOString() }),
    issuedAt: new Date(now).toISOString(),
    ...(answer.scope === undefined ? {} : { scopes: answer.scope.split(' ').filter(Boolean) }),
  };
}

/** The AADSTS code of an identity-platform error: in `error_codes` [doc], else at the start of the description. */
function aadstsCode(body: Record<string, unknown> | undefined): string | undefined {
  const codes = body?.error_codes;
  if (Array.isArray(codes) && typeof codes[0] === 'number') return `AADSTS${codes[0]}`;
  const description = body?.error_description;
  return typeof description === 'string' ? /^(AADSTS\d+)/.exec(description)?.[1] : undefined;
}

/**
 * Token errors arrive the OAuth way [doc]: `{"error": "invalid_grant", "error_description": "AADSTS700082: ...",
 * "error_codes": [700082], ...}`. Descriptions carry trace ids, never tokens; they are quoted shortened.
 */
export function classifyTokenError(
  grant: 'sign-in' | 'refresh',
  status: number,
  text: string,
  headers: Headers,
): ConnectorError {
  if (status === 429 || status >= 500) {
    const wait = lenientRetryAfterMs(headers.get('retry-after'));
    return new ConnectorError(
      status === 429 ? 'rate-limited' : 'unavailable',
      'The Microsoft sign-in service is busy or unavailable. Trying again later.',
      { status, ...(wait === undefined ? {} : { retryAfterMs: wait }) },
    );
  }
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const error = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  const code = aadstsCode(body);
  const detail = reasonIn(text);
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    return new ConnectorError(
      'misconfigured',
      `Microsoft does not accept this Relais's app registration (${error}${code ? ` ${code}` : ''}). An administrator ` +
        'must check ONEDRIVE_CLIENT_ID and ONEDRIVE_CLIENT_SECRET.',
      { status },
    );
  }
  if (grant === 'refresh') {
    const known = code !== undefined && code in reauthReasons ? reauthReasons[code as ReauthCode] : undefined;
    // Any refused refresh (invalid_grant, interaction_required) leaves no token to work with: only a new
    // sign-in helps. The three documented codes get their own plain reason.
    return new ConnectorError(
      'auth-expired',
      `Microsoft no longer accepts this connection's sign-in (${known ?? `${error}${code ? ` ${code}` : ''}`}). ` +
        'Sign in to OneDrive again to reconnect.',
      { status },
    );
  }
  return new ConnectorError(
    'invalid-credentials',
    `Microsoft refused the sign-in (${error}${detail && detail !== error ? `: ${detail}` : ''}). Sign in again.`,
    { status },
  );
}
