import { createHash, randomBytes } from 'node:crypto';
import type { Express, Request } from 'express';

/**
 * The OAuth side of the Dropbox contract fake: the consent page at /oauth2/authorize (www.dropbox.com)
 * and /oauth2/token (api.dropboxapi.com). It enforces the app's client id and secret, PKCE (S256 or
 * plain), codes that are single-use and valid 10 minutes, a redirect_uri equal at authorize and token
 * time, access tokens valid 4 hours and refresh tokens that are not rotated.
 */

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** The redirect URIs registered in the App Console; any is accepted when omitted. */
  redirectUris?: string[];
  /** The scopes enabled on the app's Permissions tab. */
  scopes: string[];
  accountId: string;
  /** Shown on the consent page. */
  signedInAs: string;
}

interface Grant {
  scopes: string[];
  /** Obtained with PKCE: such grants may refresh without the client secret. */
  pkce: boolean;
}
interface PendingCode extends Grant {
  redirectUri: string;
  challenge?: { value: string; method: string };
  offline: boolean;
  expiresAt: number;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ACCESS_TOKEN_SECONDS = 14_400;

export function requestBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function formOf(req: Request): URLSearchParams {
  const isForm = (req.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  return new URLSearchParams(isForm ? requestBody(req).toString('utf8') : '');
}

const queryOf = (req: Request) => new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const newToken = (prefix: string) => `${prefix}.${randomBytes(24).toString('base64url')}`;

/** Mounts the OAuth routes on `app`; returns what the API routes and the knobs need. */
export function mountDropboxOAuth(app: Express, client: OAuthApp, now: () => number) {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant & { revoked: boolean }>();
  const accessTokens = new Map<string, { grant: Grant; refreshToken?: string; expiresAt: number }>();

  function readAuthorizeRequest(query: URLSearchParams): PendingCode | string {
    if (query.get('client_id') !== client.clientId) return 'Invalid client_id.';
    if (query.get('response_type') !== 'code') return 'This app may only use response_type=code.';
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri || (client.redirectUris && !client.redirectUris.includes(redirectUri))) {
      return 'Invalid redirect_uri. It must exactly match one of the redirect URIs registered for the app.';
    }
    const scopes = (query.get('scope') ?? client.scopes.join(' ')).split(' ').filter(Boolean);
    const unknown = scopes.filter((scope) => !client.scopes.includes(scope));
    if (unknown.length > 0) return `Invalid scope: ${unknown.join(', ')} is not enabled for this app.`;
    const accessType = query.get('token_access_type') ?? 'online';
    if (!['online', 'offline', 'legacy'].includes(accessType)) return 'Invalid token_access_type.';
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method') ?? 'plain';
    if (challenge !== null && (!['S256', 'plain'].includes(method) || !/^[\w.~-]{43,128}$/.test(challenge))) {
      return 'Invalid code_challenge or code_challenge_method.';
    }
    if ((query.get('state') ?? '').length > 500) return 'state must be at most 500 bytes.';
    return {
      scopes,
      pkce: challenge !== null,
      redirectUri,
      ...(challenge === null ? {} : { challenge: { value: challenge, method } }),
      offline: accessType === 'offline',
      expiresAt: now() + CODE_LIFETIME_MS,
    };
  }

  app.get('/oauth2/authorize', (req, res) => {
    const request = readAuthorizeRequest(queryOf(req));
    if (typeof request === 'string') {
      return void res
        .status(400)
        .type('html')
        .send(`<h1>Error (400)</h1><p>${escapeHtml(request)}</p>`);
    }
    res
      .type('html')
      .send(
        `<!doctype html><title>API Request Authorization - Dropbox</title>` +
          `<p>Signed in as ${escapeHtml(client.signedInAs)}</p>` +
          `<p>This app wants to: ${escapeHtml(request.scopes.join(', '))}</p>` +
          `<form method="post" action="${escapeHtml(req.originalUrl)}">` +
          `<button name="decision" value="deny">Cancel</button> ` +
          `<button name="decision" value="allow">Allow</button></form>`,
      );
  });

  app.post('/oauth2/authorize', (req, res) => {
    const query = queryOf(req);
    const request = readAuthorizeRequest(query);
    if (typeof request === 'string') return void res.status(400).type('html').send(escapeHtml(request));
    const redirect = new URL(request.redirectUri);
    if (formOf(req).get('decision') === 'allow') {
      const code = newToken('code');
      codes.set(code, request);
      redirect.searchParams.set('code', code);
    } else {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set(
        'error_description',
        'The user chose not to give your app access to their Dropbox account.',
      );
    }
    const state = query.get('state');
    if (state !== null) redirect.searchParams.set('state', state);
    res.redirect(302, redirect.toString());
  });

  function issueAccessToken(grant: Grant, refreshToken?: string): string {
    const accessToken = newToken('sl');
    accessTokens.set(accessToken, { grant, refreshToken, expiresAt: now() + ACCESS_TOKEN_SECONDS * 1000 });
    return accessToken;
  }

  // Dropbox takes the parameters form-encoded or in the query string (the SDK uses the latter).
  app.post('/oauth2/token', (req, res) => {
    const params = new URLSearchParams([...queryOf(req), ...formOf(req)]);
    const oauthError = (error: string, description: string) =>
      void res.status(400).json({ error, error_description: description });
    const basic = /^Basic (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const clientId = basicId ?? params.get('client_id');
    const secret = basicSecret ?? params.get('client_secret');
    if (clientId !== client.clientId || (secret !== null && secret !== client.clientSecret)) {
      return oauthError('invalid_client', 'Invalid client_id or client_secret');
    }
    const grantType = params.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = codes.get(params.get('code') ?? '');
      codes.delete(params.get('code') ?? ''); // single use, even when this attempt fails
      if (!code || code.expiresAt < now())
        return oauthError('invalid_grant', "code doesn't exist or has expired");
      if (params.get('redirect_uri') !== code.redirectUri)
        return oauthError('invalid_grant', 'redirect_uri mismatch');
      if (code.challenge) {
        const verifier = params.get('code_verifier') ?? '';
        const computed =
          code.challenge.method === 'S256'
            ? createHash('sha256').update(verifier).digest('base64url')
            : verifier;
        if (computed !== code.challenge.value) return oauthError('invalid_grant', 'invalid code verifier');
      } else if (secret === null) {
        return oauthError('invalid_client', 'client_secret is required without PKCE');
      }
      const grant: Grant = { scopes: code.scopes, pkce: code.pkce };
      const refreshToken = code.offline ? newToken('refresh') : undefined;
      if (refreshToken) refreshTokens.set(refreshToken, { ...grant, revoked: false });
      return void res.json({
        access_token: issueAccessToken(grant, refreshToken),
        token_type: 'bearer',
        expires_in: ACCESS_TOKEN_SECONDS,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        scope: grant.scopes.join(' '),
        uid: '123456789',
        account_id: client.accountId,
      });
    }
    if (grantType === 'refresh_token') {
      const refreshToken = params.get('refresh_token') ?? '';
      const grant = refreshTokens.get(refreshToken);
      if (!grant || grant.revoked) return oauthError('invalid_grant', 'refresh token is invalid or revoked');
      if (!grant.pkce && secret === null) return oauthError('invalid_client', 'client_secret is required');
      return void res.json({
        access_token: issueAccessToken(grant, refreshToken),
        token_type: 'bearer',
        expires_in: ACCESS_TOKEN_SECONDS,
      });
    }
    oauthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
  });

  return {
    /** The scopes behind a Bearer token, or the AuthError tag Dropbox answers 401 with. */
    authenticate(
      accessToken: string | undefined,
    ): { scopes: string[] } | 'invalid_access_token' | 'expired_access_token' {
      const session = accessToken === undefined ? undefined : accessTokens.get(accessToken);
      const revoked = session?.refreshToken !== undefined && refreshTokens.get(session.refreshToken)?.revoked;
      if (!session || revoked) return 'invalid_access_token';
      if (session.expiresAt <= now()) return 'expired_access_token';
      return { scopes: session.grant.scopes };
    },
    expireAccessTokens() {
      for (const session of accessTokens.values()) session.expiresAt = now();
    },
    revokeRefreshTokens() {
      for (const grant of refreshTokens.values()) grant.revoked = true;
    },
  };
}
