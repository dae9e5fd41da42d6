import { setTimeout as delay } from 'node:timers/promises';
import express, { type Express, type Request, type Response } from 'express';
import {
  ACCESS_TOKEN_LIFETIME_MS,
  CODE_LIFETIME_MS,
  now,
  opaqueToken,
  REFRESH_NOT_BEFORE_MS,
  REFRESH_TOKEN_IDLE_LIFETIME_MS,
  type AuthorizationRequest,
  type ExactFakeState,
  type SharedDivisions,
} from './state';
import { renderConsentPage } from './consent-page';

/** What the user does on the consent screen: allow (all current and future divisions, or some), or deny. */
export type ConsentDecision = 'allow' | 'deny' | { divisions: SharedDivisions };

/** An authorization request the fake cannot redirect back from (unknown client, unregistered redirect). */
export class AuthorizationRequestError extends Error {}

export function readAuthorizationRequest(
  state: ExactFakeState,
  params: URLSearchParams,
): AuthorizationRequest {
  const request = {
    clientId: params.get('client_id') ?? '',
    redirectUri: params.get('redirect_uri') ?? '',
    responseType: params.get('response_type') ?? '',
    state: params.get('state') ?? undefined,
  };
  if (request.clientId !== state.clientId) throw new AuthorizationRequestError('Unknown client_id');
  if (!/^https?:\/\//.test(request.redirectUri)) throw new AuthorizationRequestError('Invalid redirect_uri');
  if (state.redirectUri !== undefined && request.redirectUri !== state.redirectUri) {
    throw new AuthorizationRequestError('The redirect_uri is not the one registered for this app');
  }
  return request;
}

/** The redirect back to the app after the consent screen, with a single-use code or an error. */
export function decide(
  state: ExactFakeState,
  request: AuthorizationRequest,
  decision: ConsentDecision,
): string {
  const url = new URL(request.redirectUri);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  if (request.responseType !== 'code') {
    url.searchParams.set('error', 'unsupported_response_type');
  } else if (decision === 'deny') {
    url.searchParams.set('error', 'access_denied');
  } else {
    const code = opaqueToken();
    const shared = decision === 'allow' ? 'all' : decision.divisions;
    state.codes.set(code, { redirectUri: request.redirectUri, issuedAt: now(state), shared, used: false });
    url.searchParams.set('code', code);
  }
  return url.toString();
}

/** GET/POST /api/oauth2/auth (login and consent page) and POST /api/oauth2/token. */
export function mountOAuth(app: Express, state: ExactFakeState): void {
  const form = express.urlencoded({ extended: false });

  app.get('/api/oauth2/auth', (request, response) => {
    try {
      const authorization = readAuthorizationRequest(state, searchParams(request.query));
      response.type('html').send(renderConsentPage(state, authorization));
    } catch (error) {
      if (!(error instanceof AuthorizationRequestError)) throw error;
      response.status(400).type('text').send(error.message);
    }
  });

  app.post('/api/oauth2/auth', form, (request, response) => {
    const fields = request.body as Record<string, string | undefined>;
    let authorization: AuthorizationRequest;
    try {
      authorization = readAuthorizationRequest(state, searchParams(fields));
    } catch (error) {
      if (!(error instanceof AuthorizationRequestError)) throw error;
      response.status(400).type('text').send(error.message);
      return;
    }
    if (
      fields.decision !== 'deny' &&
      (fields.username !== state.user.username || fields.password !== state.user.password)
    ) {
      response
        .status(401)
        .type('html')
        .send(renderConsentPage(state, authorization, 'Wrong user name or password.'));
      return;
    }
    const chosen = ([] as string[]).concat(request.body.division ?? []).map(Number);
    const decision: ConsentDecision =
      fields.decision === 'deny' ? 'deny' : fields.scope === 'all' ? 'allow' : { divisions: chosen };
    response.redirect(302, decide(state, authorization, decision));
  });

  app.post('/api/oauth2/token', form, async (request, response) => {
    state.tokenCalls += 1;
    if (state.tokenAnswerDelayMs > 0) await delay(state.tokenAnswerDelayMs);
    response.set('Cache-Control', 'no-store');
    if (!request.is('application/x-www-form-urlencoded')) return tokenError(response, 'invalid_request');
    const fields = request.body as Record<string, string | undefined>;
    if (fields.client_id !== state.clientId || fields.client_secret !== state.clientSecret) {
      // Exact answers a wrong client secret with 401 unauthorized_client, not 400 invalid_client.
      return tokenError(response, 'unauthorized_client', 'Client authentication failed.', 401);
    }
    if (fields.grant_type === 'authorization_code') return exchangeCode(state, fields, response);
    if (fields.grant_type === 'refresh_token') return refresh(state, fields, response);
    return tokenError(response, 'unsupported_grant_type');
  });
}

function exchangeCode(state: ExactFakeState, fields: Record<string, string | undefined>, response: Response) {
  const code = state.codes.get(fields.code ?? '');
  if (
    !code ||
    code.used ||
    now(state) - code.issuedAt > CODE_LIFETIME_MS ||
    code.redirectUri !== fields.redirect_uri
  ) {
    return tokenError(response, 'invalid_grant');
  }
  code.used = true;
  // Only the latest grant stays valid: this sign-in ends the previous one's tokens.
  state.grant = {
    accessToken: '',
    accessExpiresAt: 0,
    lastTokenAt: 0,
    refreshToken: '',
    refreshIssuedAt: 0,
    spentRefreshTokens: new Set(),
    shared: code.shared,
  };
  issueTokens(state, response);
}

function refresh(state: ExactFakeState, fields: Record<string, string | undefined>, response: Response) {
  const grant = state.grant;
  if (!grant || !fields.refresh_token) return tokenError(response, 'invalid_grant');
  if (fields.refresh_token !== grant.refreshToken) {
    if (grant.spentRefreshTokens.has(fields.refresh_token)) {
      // What Exact answers a refresh token already exchanged once.
      return tokenError(response, 'unauthorized_client', 'Old refresh token used.', 401);
    }
    return tokenError(response, 'invalid_grant');
  }
  const refreshExpiresAt = grant.refreshIssuedAt + REFRESH_TOKEN_IDLE_LIFETIME_MS;
  if (now(state) >= refreshExpiresAt) {
    // A refresh token unused for 30 days dies.
    return tokenError(
      response,
      'invalid_request',
      `The refresh token expired at ${exactDate(refreshExpiresAt)} and it is now ${exactDate(now(state))}.`,
    );
  }
  if (now(state) - grant.lastTokenAt < REFRESH_NOT_BEFORE_MS) {
    // Exact's answer to an early refresh; the refresh token stays valid.
    response.set('Reason', 'TooEarlyToRefreshTokens: Rate limit exceeded: access_token not expired');
    return tokenError(response, 'access_denied', 'Rate limit exceeded: access_token not expired');
  }
  issueTokens(state, response);
}

function issueTokens(state: ExactFakeState, response: Response): void {
  const grant = state.grant!;
  grant.accessToken = opaqueToken();
  if (grant.refreshToken) grant.spentRefreshTokens.add(grant.refreshToken);
  grant.refreshToken = opaqueToken();
  grant.lastTokenAt = now(state);
  grant.refreshIssuedAt = grant.lastTokenAt;
  grant.accessExpiresAt = grant.lastTokenAt + ACCESS_TOKEN_LIFETIME_MS;
  response.json({
    access_token: grant.accessToken,
    token_type: 'bearer',
    expires_in: String(ACCESS_TOKEN_LIFETIME_MS / 1000),
    refresh_token: grant.refreshToken,
  });
}

function tokenError(response: Response, error: string, description?: string, status = 400): void {
  response.status(status).json(description ? { error, error_description: description } : { error });
}

function searchParams(values: Request['query'] | Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (typeof value === 'string') params.set(name, value);
  return params;
}

/** Exact's en-US date format in token errors: 10/11/2022 9:18:20 PM. */
function exactDate(epochMs: number): string {
  return new Date(epochMs).toLocaleString('en-US', { timeZone: 'UTC' }).replace(',', '');
}
