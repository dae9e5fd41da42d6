import { defineOAuthProvider } from '../shared/oauth/engine';
import { fetchMe } from './client';
import { readSettings, requireAppCredentials, siteUrl, type ExactConfig } from './config';
import { descriptor } from './descriptor';

/** Exact allows a new token only 570 s after the previous one; the last 30 s of a token's life. */
const TOO_EARLY_RETRY_MS = 30_000;

/**
 * Exact's OAuth 2 authorization code flow, on the user's country site, on the shared engine: no PKCE,
 * no scopes. Access tokens last 10 minutes (`expires_in` comes as the string "600", which oauth4webapi
 * reads as a number); every refresh returns a new refresh token and the old one dies, so the caller
 * stores the new pair before using it and never refreshes twice at once.
 */
export function createExactOAuth(config: ExactConfig) {
  const site = (settings: Record<string, unknown>) => siteUrl(config, readSettings(settings));
  return defineOAuthProvider({
    descriptor,
    name: 'Exact Online',
    authorizeUrl: (settings) => `${site(settings)}/api/oauth2/auth`,
    tokenUrl: (settings) => `${site(settings)}/api/oauth2/token`,
    client: () => requireAppCredentials(config),
    clientAuth: 'client_secret_post',
    clientVariables: 'EXACT_CLIENT_ID and EXACT_CLIENT_SECRET against the app in the Exact App Center',
    // Let a user already signed in to Exact in this browser go straight to the consent screen.
    extraAuthorizeParams: { force_login: '0' },
    rotation: 'rotating',
    reauthErrors: [
      // Exact answers 401 unauthorized_client both to a spent refresh token and to a wrong client
      // secret; only the description tells them apart.
      {
        grant: 'refresh_token',
        status: 401,
        description: /old refresh token/i,
        meaning: 'the refresh token was already used',
      },
      // A refresh token unused for 30 days: 400 invalid_request "The refresh token expired at ...".
      { grant: 'refresh_token', error: 'invalid_request', description: /refresh token expired/i },
    ],
    // Any other 401 is our app's identity (Exact says unauthorized_client, not invalid_client).
    misconfiguredErrors: [{ status: 401 }],
    retryLaterErrors: [
      // A refresh while the access token is younger than 570 s; the refresh token stays valid.
      {
        header: { name: 'Reason', value: /^TooEarlyToRefreshTokens/ },
        retryAfterMs: TOO_EARLY_RETRY_MS,
        meaning: 'the current access token is still valid',
      },
      {
        description: /access_token not expired/i,
        retryAfterMs: TOO_EARLY_RETRY_MS,
        meaning: 'the current access token is still valid',
      },
    ],

    async account({ accessToken, settings }) {
      const me = await fetchMe({ baseUrl: site(settings), accessToken });
      return { id: me.UserID, name: me.FullName };
    },
  });
}
