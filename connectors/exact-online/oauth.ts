import { z } from 'zod';
import { ConnectorError, retryAfterMs } from '../errors';
import type { Account, Settings, TokenSet } from '../types';
import { fetchMe } from './client';
import { readSettings, requireAppCredentials, siteUrl, type ExactConfig } from './config';

/**
 * Exact's OAuth 2 authorization code flow, on the user's country site: no PKCE, no scopes. Access
 * tokens last 10 minutes; every refresh returns a new refresh token and the old one dies, so the
 * caller must store the new pair before using it and never refresh twice at once.
 */
export function createExactOAuth(config: ExactConfig) {
  return {
    authorizationUrl(input: { state: string; redirectUri: string; settings: Settings }): string {
      const { clientId } = requireAppCredentials(config);
      const url = new URL(`${siteUrl(config, readSettings(input.settings))}/api/oauth2/auth`);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', input.redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('state', input.state);
      // Let a user already signed in to Exact in this browser go straight to the consent screen.
      url.searchParams.set('force_login', '0');
      return url.toString();
    },

    exchangeCode(input: { code: string; redirectUri: string; settings: Settings }): Promise<TokenSet> {
      return requestTokens(config, input.settings, 'sign-in', {
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
      });
    },

    refresh(input: { refreshToken: string; settings: Settings }): Promise<TokenSet> {
      return requestTokens(config, input.settings, 'refresh', {
        grant_type: 'refresh_token',
        refresh_token: input.refreshToken,
      });
    },

    async account(input: { accessToken: string; settings: Settings }): Promise<Account> {
      const baseUrl = siteUrl(config, readSettings(input.settings));
      const me = await fetchMe({ baseUrl, accessToken: input.accessToken });
      return { id: me.UserID, name: me.FullName };
    },
  };
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  // Exact sends the lifetime as a string ("600").
  expires_in: z.coerce.number().int().positive(),
});

const tokenError = z.object({ error: z.string().optional(), error_description: z.string().optional() });

type TokenPhase = 'sign-in' | 'refresh';

async function requestTokens(
  config: ExactConfig,
  settings: Settings,
  phase: TokenPhase,
  grant: Record<string, string>,
): Promise<TokenSet> {
  const { clientId, clientSecret } = requireAppCredentials(config);
  const requestedAt = Date.now();
  let response: Response;
  try {
    response = await fetch(`${siteUrl(config, readSettings(settings))}/api/oauth2/token`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...grant, client_id: clientId, client_secret: clientSecret }).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ConnectorError(
      'unavailable',
      'Exact Online could not be reached to sign in. Relais will try again.',
      {
        cause: error,
      },
    );
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw tokenFailure(response, body, phase);
  const tokens = tokenResponse.safeParse(body);
  if (!tokens.success) {
    throw new ConnectorError(
      'unavailable',
      'Exact Online answered the sign-in with something other than tokens.',
    );
  }
  return {
    accessToken: tokens.data.access_token,
    refreshToken: tokens.data.refresh_token,
    // Expiry counted from the request and issue time from the answer: both err on the safe side.
    expiresAt: new Date(requestedAt + tokens.data.expires_in * 1000).toISOString(),
    issuedAt: new Date().toISOString(),
  };
}

/** Exact allows a new token only 570 s after the previous one; the last 30 s of a token's life. */
const TOO_EARLY_RETRY_MS = 30_000;

function tokenFailure(response: Response, body: unknown, phase: TokenPhase): ConnectorError {
  const status = response.status;
  const { error, error_description: description } = tokenError.catch({}).parse(body ?? {});
  if (status === 429) {
    return new ConnectorError('rate-limited', 'Exact Online asked Relais to sign in less often.', {
      status,
      retryAfterMs: retryAfterMs(response.headers.get('Retry-After')) ?? 60_000,
    });
  }
  if (status >= 500) {
    return new ConnectorError('unavailable', 'Exact Online could not handle the sign-in right now.', {
      status,
    });
  }
  // Exact answers 401 unauthorized_client both to a spent refresh token ("Old refresh token used.")
  // and to a wrong client secret; only the description tells them apart.
  if (status === 401 && phase === 'refresh' && /old refresh token/i.test(description ?? '')) {
    return new ConnectorError(
      'auth-expired',
      'Exact Online refused to renew the sign-in: the refresh token was already used. ' +
        'Sign in to Exact Online again to reconnect.',
      { status },
    );
  }
  if (error === 'invalid_client' || status === 401) {
    return new ConnectorError(
      'misconfigured',
      'Exact Online does not recognise the Relais app: check EXACT_CLIENT_ID and EXACT_CLIENT_SECRET against ' +
        'the app in the Exact App Center.',
      { status },
    );
  }
  const tooEarly =
    response.headers.get('Reason')?.startsWith('TooEarlyToRefreshTokens') ||
    /access_token not expired/i.test(description ?? '');
  if (tooEarly) {
    // The current access token is still valid; the refresh token was not spent.
    return new ConnectorError(
      'rate-limited',
      'Exact Online refuses a new token while the current one is valid.',
      {
        status,
        retryAfterMs: TOO_EARLY_RETRY_MS,
      },
    );
  }
  const detail = error ? ` (${error})` : '';
  if (phase === 'refresh') {
    return new ConnectorError(
      'auth-expired',
      `Exact Online refused to renew the sign-in${detail}: the refresh token was already used, has expired, ` +
        'or a newer sign-in replaced it. Sign in to Exact Online again to reconnect.',
      { status },
    );
  }
  return new ConnectorError(
    'invalid-credentials',
    `Exact Online refused the sign-in${detail}: the sign-in link was already used or has expired. Sign in again.`,
    { status },
  );
}
