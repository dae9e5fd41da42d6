import { createHash, randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';

/**
 * The Microsoft identity platform's v2 authorize and token endpoints (tenant `organizations`) as the
 * docs describe them: PKCE S256, single-use codes bound to client, redirect URI and verifier, access
 * tokens valid an hour, refresh tokens that rotate on every use, and errors as
 * `{"error", "error_description": "AADSTSnnn: ...", "error_codes": [nnn], "timestamp", "trace_id", "correlation_id"}`.
 */
export const IDENTITY_BASE = '/organizations/oauth2/v2.0';

export type ReauthCode = 700082 | 50173 | 70043;

const REAUTH_TEXT: Record<ReauthCode, string> = {
  700082:
    'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00Z and was inactive for 90.00:00:00.',
  50173:
    'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
  70043:
    'AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.',
};

export interface IdentityOptions {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
  user: { id: string; displayName: string; email: string };
}

interface Code {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  expiresAt: number;
}

export interface IdentityFake {
  /** The user behind a Graph access token, or why it is refused. */
  authenticate(token: string | undefined): { scopes: string[] } | 'invalid' | 'expired';
  /** Every refresh token issued so far now answers invalid_grant with this AADSTS code. */
  refuseRefreshTokens(code: ReauthCode): void;
  expireAccessTokens(): void;
  tokenCalls(): Array<{ grantType: string; refreshToken?: string }>;
}

export function mountIdentity(app: Express, options: IdentityOptions, now: () => number): IdentityFake {
  const codes = new Map<string, Code>();
  const accessTokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  /** Live refresh tokens and, for refused ones, the AADSTS code they answer with. */
  const refreshTokens = new Map<string, { scopes: string[]; refusedWith?: ReauthCode }>();
  const calls: Array<{ grantType: string; refreshToken?: string }> = [];

  const oauthError = (res: Response, status: number, error: string, code: number, text: string) =>
    void res.status(status).json({
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${randomBytes(8).toString('hex')}`,
      error_codes: [code],
      timestamp: new Date(now()).toISOString(),
      trace_id: randomBytes(8).toString('hex'),
      correlation_id: randomBytes(8).toString('hex'),
    });

  function checkAuthorize(query: URLSearchParams): string | undefined {
    if (query.get('client_id') !== options.clientId)
      return 'AADSTS700016: Application not found in the directory.';
    if (query.get('response_type') !== 'code') return 'AADSTS900144: response_type must be code.';
    const redirectUri = query.get('redirect_uri') ?? '';
    if (options.redirectUris && !options.redirectUris.includes(redirectUri)) {
      return 'AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured.';
    }
    const scopes = (query.get('scope') ?? '').split(' ');
    const files = scopes.includes('Files.ReadWrite') || scopes.includes('Files.ReadWrite.All');
    if (!scopes.includes('offline_access') || !files) {
      return 'AADSTS70011: The provided value for the input parameter scope is not valid.';
    }
    if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
      return 'AADSTS501491: Invalid size of Code_Challenge parameter.';
    }
    if (!query.get('state')) return 'AADSTS900144: state is required by this fake.';
    return undefined;
  }

  // The sign-in and consent page: GET shows it, POST is the user's decision.
  app.get(`${IDENTITY_BASE}/authorize`, (req, res) => {
    const problem = checkAuthorize(new URL(req.originalUrl, 'http://x').searchParams);
    if (problem) return void res.status(400).type('text').send(problem);
    res.type('html').send('<form method="post"><button name="decision" value="allow">Accept</button></form>');
  });
  app.post(`${IDENTITY_BASE}/authorize`, (req, res) => {
    const query = new URL(req.originalUrl, 'http://x').searchParams;
    const problem = checkAuthorize(query);
    if (problem) return void res.status(400).type('text').send(problem);
    const back = new URL(query.get('redirect_uri')!);
    back.searchParams.set('state', query.get('state')!);
    if (formOf(req).get('decision') !== 'allow') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    } else {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId: options.clientId,
        redirectUri: query.get('redirect_uri')!,
        challenge: query.get('code_challenge')!,
        scopes: query.get('scope')!.split(' '),
        expiresAt: now() + 10 * 60_000,
      });
      back.searchParams.set('code', code);
    }
    res.redirect(302, back.toString());
  });

  /**
   * The `scope` of a token request must stay within the consented grant [doc: a scope nobody consented
   * to needs a new sign-in]; absent, the grant's scopes are issued.
   */
  function scopesAsked(form: URLSearchParams, granted: string[]): string[] | 'not-consented' {
    const asked = form.get('scope')?.split(' ').filter(Boolean);
    if (!asked) return granted;
    return asked.every((scope) => granted.includes(scope)) ? asked : 'not-consented';
  }
  const notConsented = (res: Response) =>
    oauthError(
      res,
      400,
      'invalid_grant',
      65001,
      'The user or administrator has not consented to use the application for the requested scopes.',
    );

  function issue(res: Response, scopes: string[]) {
    const accessToken = `eyJ0eXAiOiJKV1Qi.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `0.ARfake.${randomBytes(32).toString('base64url')}`;
    accessTokens.set(accessToken, { scopes, expiresAt: now() + 3600_000 });
    refreshTokens.set(refreshToken, { scopes });
    res.json({
      token_type: 'Bearer',
      scope: scopes.filter((s) => s !== 'offline_access').join(' '),
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: accessToken,
      refresh_token: refreshToken,
    });
  }

  app.post(`${IDENTITY_BASE}/token`, (req, res) => {
    const form = formOf(req);
    const grantType = form.get('grant_type') ?? '';
    calls.push({
      grantType,
      ...(form.get('refresh_token') ? { refreshToken: form.get('refresh_token')! } : {}),
    });
    if (form.get('client_id') !== options.clientId) {
      return oauthError(res, 400, 'unauthorized_client', 700016, 'Application not found in the directory.');
    }
    if (form.get('client_secret') !== options.clientSecret) {
      return oauthError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAt < now()) {
        return oauthError(
          res,
          400,
          'invalid_grant',
          54005,
          'OAuth2 Authorization code was already redeemed or expired.',
        );
      }
      if (form.get('redirect_uri') !== code.redirectUri) {
        return oauthError(
          res,
          400,
          'invalid_grant',
          50148,
          'The redirect_uri does not match the one of the authorization request.',
        );
      }
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return oauthError(
          res,
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
      const scopes = scopesAsked(form, code.scopes);
      return scopes === 'not-consented' ? notConsented(res) : issue(res, scopes);
    }
    if (grantType === 'refresh_token') {
      const held = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!held)
        return oauthError(
          res,
          400,
          'invalid_grant',
          9002313,
          'Invalid request. Request is malformed or invalid.',
        );
      if (held.refusedWith)
        return oauthError(
          res,
          400,
          'invalid_grant',
          held.refusedWith,
          REAUTH_TEXT[held.refusedWith].replace(/^AADSTS\d+: /, ''),
        );
      // Rotation: the answer carries a new refresh token. The old one is not revoked at once by
      // Microsoft [doc]; the fake keeps it valid too, the client must keep the newest.
      const scopes = scopesAsked(form, held.scopes);
      return scopes === 'not-consented' ? notConsented(res) : issue(res, scopes);
    }
    oauthError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  });

  return {
    authenticate(token) {
      const held = token ? accessTokens.get(token) : undefined;
      if (!held) return 'invalid';
      return held.expiresAt < now() ? 'expired' : { scopes: held.scopes };
    },
    refuseRefreshTokens(code) {
      for (const held of refreshTokens.values()) held.refusedWith = code;
      // A revoked grant (50173) also ends the access tokens issued from it.
      if (code === 50173) accessTokens.clear();
    },
    expireAccessTokens() {
      for (const held of accessTokens.values()) held.expiresAt = 0;
    },
    tokenCalls: () => calls,
  };
}

function formOf(req: Request): URLSearchParams {
  const isForm = (req.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  return new URLSearchParams(isForm && Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
}
