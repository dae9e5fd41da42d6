import * as oauth from 'oauth4webapi';
import { ConnectorError } from '../../errors';
import type { ConnectorImplementation, Settings, TokenSet } from '../../types';
import type { OAuthProviderDeclaration, TokenGrant } from './declaration';
import { classifyTokenRefusal } from './token-errors';

export type OAuthImplementation = NonNullable<ConnectorImplementation['oauth']>;

/** Long enough for a slow token endpoint, short enough that a stalled one fails the attempt, not the activity. */
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * oauth4webapi refuses plain http. Only a token endpoint on this machine (the contract fakes in tests)
 * may use it; every real vendor URL is https and keeps the library's check.
 */
function insecureAllowed(url: URL): boolean {
  return url.protocol === 'http:' && loopbackHosts.has(url.hostname);
}

/**
 * The authorization server as oauth4webapi wants it, built from the declaration instead of discovery
 * (Dropbox and Exact publish no metadata; Microsoft's adds nothing the declaration lacks). The issuer is only compared with an ID token's `iss`,
 * and these providers send none.
 */
function authorizationServer(tokenUrl: URL, authorizeUrl?: string): oauth.AuthorizationServer {
  return {
    issuer: tokenUrl.origin,
    token_endpoint: tokenUrl.href,
    ...(authorizeUrl ? { authorization_endpoint: authorizeUrl } : {}),
  };
}

/**
 * Turns a provider's declaration into the connector's `oauth` implementation: the authorization URL,
 * the code exchange and the refresh go through oauth4webapi (request building, client authentication,
 * strict checks of the token answer); refusals are classified once in `classifyTokenRefusal`.
 */
export function defineOAuthProvider(provider: OAuthProviderDeclaration): OAuthImplementation {
  const { name } = provider;
  const pkce = provider.descriptor.oauth?.pkce ?? false;
  const scopesFor = (settings: Settings): readonly string[] =>
    provider.scopes?.(settings) ?? provider.descriptor.oauth?.scopes ?? [];
  const tokenParams = (settings: Settings): Record<string, string> | undefined => {
    const scopes = scopesFor(settings);
    const params = {
      ...provider.extraTokenParams,
      ...(provider.scopeOnTokenRequests && scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    };
    return Object.keys(params).length > 0 ? params : undefined;
  };

  /** A network failure or timeout before any answer: retry later. */
  const tokenFetch: typeof fetch = async (url, init) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS) });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? 'it did not answer in time'
          : 'no connection';
      throw new ConnectorError('unavailable', `${name} could not be reached to sign in (${reason}).`, {
        cause: error,
      });
    }
  };

  async function requestTokens(
    grant: TokenGrant,
    settings: Settings,
    send: (
      as: oauth.AuthorizationServer,
      client: oauth.Client,
      auth: oauth.ClientAuth,
      options: oauth.TokenEndpointRequestOptions,
    ) => Promise<Response>,
  ): Promise<{ tokens: oauth.TokenEndpointResponse; requestedAt: number }> {
    const identity = provider.client();
    const tokenUrl = new URL(provider.tokenUrl(settings));
    const as = authorizationServer(tokenUrl);
    const client: oauth.Client = { client_id: identity.clientId };
    const auth = !identity.clientSecret
      ? oauth.None()
      : provider.clientAuth === 'client_secret_basic'
        ? oauth.ClientSecretBasic(identity.clientSecret)
        : oauth.ClientSecretPost(identity.clientSecret);
    const additionalParameters = tokenParams(settings);
    const options: oauth.TokenEndpointRequestOptions = {
      [oauth.customFetch]: tokenFetch,
      ...(additionalParameters ? { additionalParameters } : {}),
      ...(insecureAllowed(tokenUrl) ? { [oauth.allowInsecureRequests]: true } : {}),
    };
    const requestedAt = Date.now();
    let response: Response;
    try {
      response = await send(as, client, auth, options);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      // oauth4webapi refused to send (e.g. plain http to a remote host): a configuration error.
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectorError(
        'misconfigured',
        `Relais cannot ask ${name} for tokens at ${tokenUrl.origin} (${reason}).`,
        { cause: error },
      );
    }
    // Transient answers first: oauth4webapi reads only OAuth error bodies, and a 503 page is none.
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw classifyTokenRefusal(provider, { grant, status: response.status, headers: response.headers });
    }
    try {
      const tokens =
        grant === 'authorization_code'
          ? await oauth.processAuthorizationCodeResponse(as, client, response)
          : await oauth.processRefreshTokenResponse(as, client, response);
      return { tokens, requestedAt };
    } catch (error) {
      throw refusalOf(grant, response, error);
    }
  }

  function refusalOf(grant: TokenGrant, response: Response, error: unknown): ConnectorError {
    if (error instanceof oauth.ResponseBodyError) {
      return classifyTokenRefusal(provider, {
        grant,
        status: error.status,
        headers: response.headers,
        error: error.error,
        ...(error.error_description === undefined ? {} : { description: error.error_description }),
      });
    }
    if (response.status !== 200) {
      // A refusal without an OAuth error body (HTML page, WWW-Authenticate challenge).
      return classifyTokenRefusal(provider, { grant, status: response.status, headers: response.headers });
    }
    // 200 but not a token answer oauth4webapi accepts (no access_token, unknown token_type, ...). Its
    // error is not kept as the cause: that carries the answer's body, tokens included.
    const reason = error instanceof Error ? ` (${error.message})` : '';
    return new ConnectorError(
      'unavailable',
      `${name} answered the sign-in with something other than tokens${reason}. Relais will try again.`,
      { status: response.status },
    );
  }

  function tokenSet(
    grant: TokenGrant,
    { tokens, requestedAt }: { tokens: oauth.TokenEndpointResponse; requestedAt: number },
    previousRefreshToken?: string,
  ): TokenSet {
    const refreshToken =
      tokens.refresh_token ?? (provider.rotation === 'kept' ? previousRefreshToken : undefined);
    if (provider.rotation === 'rotating' && tokens.refresh_token === undefined) {
      // The old refresh token died with this answer (or never existed): nothing to renew with later.
      throw new ConnectorError(
        'unavailable',
        `${name} answered the ${grant === 'refresh_token' ? 'renewal' : 'sign-in'} without a refresh token.`,
      );
    }
    return {
      accessToken: tokens.access_token,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      // Expiry counted from the request and issue time from the answer: both err on the safe side.
      ...(tokens.expires_in === undefined
        ? {}
        : { expiresAt: new Date(requestedAt + tokens.expires_in * 1000).toISOString() }),
      issuedAt: new Date().toISOString(),
      ...(tokens.scope === undefined ? {} : { scopes: tokens.scope.split(' ').filter(Boolean) }),
    };
  }

  return {
    authorizationUrl({ state, redirectUri, codeChallenge, settings }) {
      const { clientId } = provider.client();
      const url = new URL(provider.authorizeUrl(settings));
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      const scopes = scopesFor(settings);
      if (scopes.length > 0) url.searchParams.set('scope', scopes.join(' '));
      if (pkce) {
        if (!codeChallenge) throw new Error(`${name} signs in with PKCE: a code challenge is required`);
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
      }
      for (const [key, value] of Object.entries(provider.extraAuthorizeParams ?? {})) {
        url.searchParams.set(key, value);
      }
      return url.toString();
    },

    async exchangeCode({ code, redirectUri, codeVerifier, settings }) {
      if (pkce && !codeVerifier) throw new Error(`${name} signs in with PKCE: the code verifier is missing`);
      const answer = await requestTokens('authorization_code', settings, (as, client, auth, options) =>
        oauth.authorizationCodeGrantRequest(
          as,
          client,
          auth,
          // The state was checked (single use, bound to the browser) by the callback route before this.
          oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.expectNoState),
          redirectUri,
          codeVerifier ?? oauth.nopkce,
          options,
        ),
      );
      return tokenSet('authorization_code', answer);
    },

    async refresh({ refreshToken, settings }) {
      if (!refreshToken) {
        throw new ConnectorError(
          'auth-expired',
          `${name} gave this connection no refresh token. Sign in to ${name} again to reconnect.`,
        );
      }
      const answer = await requestTokens('refresh_token', settings, (as, client, auth, options) =>
        oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options),
      );
      return tokenSet('refresh_token', answer, refreshToken);
    },

    account: (input) => provider.account(input),
  };
}
