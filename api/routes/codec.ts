import { createHmac } from 'node:crypto';
import express, { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadCodecError } from '../../platform/payload-codec';
import { HttpError, parseOrThrow } from '../errors';
import { bearerToken, sameSecret } from '../operator-token';
import { readCookie } from './oauth';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** RELAIS_OPERATOR_TOKEN; without it the endpoint is off (503). */
  operatorToken: string | undefined;
  /** Browser origins (the Temporal UI's) allowed to call the endpoint. */
  corsOrigins: string[];
  secureCookies: boolean;
}

const sessionCookie = 'relais_operator';
const sessionHours = 8;
/** Temporal keeps payloads under 2 MB each; one request carries the payloads of one event or query. */
const bodyLimit = '8mb';

// The remote codec protocol: Payloads as proto3 JSON, so every bytes field (data, metadata values) is base64.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
// proto3 JSON omits an empty list: the CLI posts `{}` for no payloads, which is an empty list, not an error.
const payloadsBody = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .default([]),
});

const fromJson = (payload: z.infer<typeof payloadsBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/**
 * The Temporal UI's and CLI's remote codec (`POST /codec/encode`, `POST /codec/decode`) for operators:
 * it decrypts history payloads with the same keys as the workers. Authenticated by the operator token,
 * as `Authorization: Bearer <token>` (CLI: `--codec-auth`) or, for the UI, which cannot send a token of
 * its own, as a session cookie set by signing in at `/codec/sign-in` (the UI sends it with "Include
 * cross-origin credentials"). CORS admits only the configured Temporal UI origins.
 */
export function codecRoutes(deps: CodecRouteDeps): Router {
  const router = Router();
  const { operatorToken } = deps;
  // The cookie carries its expiry signed with the token: the token itself never sits in the browser,
  // and a copied cookie stops working at its expiry, whatever the browser does.
  const sessionValue = (token: string, expiresAt: number) =>
    `${expiresAt}.${createHmac('sha256', token).update(`${sessionCookie}:${expiresAt}`).digest('base64url')}`;
  const validSession = (token: string, cookie: string) => {
    const expiresAt = Number(cookie.split('.')[0]);
    return expiresAt > Date.now() && sameSecret(cookie, sessionValue(token, expiresAt));
  };

  router.use(cors(deps.corsOrigins));

  const requireOperator: RequestHandler = (req, _res, next) => {
    if (!operatorToken) {
      return next(
        new HttpError(
          503,
          'codec-disabled',
          'The codec endpoint is off: set RELAIS_OPERATOR_TOKEN to turn it on.',
        ),
      );
    }
    const bearer = bearerToken(req);
    const cookie = readCookie(req.headers.cookie, sessionCookie);
    if ((bearer && sameSecret(bearer, operatorToken)) || (cookie && validSession(operatorToken, cookie)))
      return next();
    next(
      new HttpError(
        401,
        'unauthenticated',
        'Send the operator token as "Authorization: Bearer <token>", or sign in at /codec/sign-in.',
        [],
        { 'WWW-Authenticate': 'Bearer' },
      ),
    );
  };

  const convert = (direction: 'encode' | 'decode'): RequestHandler[] => [
    requireOperator,
    express.json({ limit: bodyLimit }),
    async (req, res) => {
      const { payloads } = parseOrThrow(payloadsBody, req.body, 'payloads');
      try {
        const converted = await deps.codec[direction](payloads.map(fromJson));
        res.json({ payloads: converted.map(toJson) });
      } catch (error) {
        if (error instanceof PayloadCodecError) throw new HttpError(400, 'codec-failed', error.message);
        throw error;
      }
    },
  ];
  router.post('/encode', ...convert('encode'));
  router.post('/decode', ...convert('decode'));

  router.get('/sign-in', (_req, res) => page(res, 200, signInForm));
  router.post('/sign-in', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    if (!operatorToken)
      return page(res, 503, '<p>The codec endpoint is off: RELAIS_OPERATOR_TOKEN is not set.</p>');
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    if (!token || !sameSecret(token, operatorToken)) {
      return page(res, 401, `<p>That is not the operator token.</p>${signInForm}`);
    }
    const maxAge = sessionHours * 3_600_000;
    res.cookie(sessionCookie, sessionValue(operatorToken, Date.now() + maxAge), {
      httpOnly: true,
      // Cross-site UIs need SameSite=None, which browsers accept only on Secure (https) cookies.
      sameSite: deps.secureCookies ? 'none' : 'lax',
      secure: deps.secureCookies,
      path: '/codec',
      maxAge,
    });
    page(
      res,
      200,
      `<p>Signed in for ${sessionHours} hours. In the Temporal UI's codec server settings, tick
       "Include cross-origin credentials" so that it sends this sign-in along.</p>`,
    );
  });
  return router;
}

const signInForm = `<form method="post" action="sign-in">
  <label>Operator token <input type="password" name="token" autocomplete="off" required></label>
  <button>Sign in</button></form>`;

function page(res: Response, status: number, body: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><meta charset="utf-8"><title>Relais codec</title><main><h1>Relais codec: operator sign-in</h1>${body}</main>`,
    );
}

/** CORS for the Temporal UI: preflights from other origins get 403, their requests no CORS headers. */
function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    }
    if (req.method !== 'OPTIONS') return next();
    if (!origin || !allowed.has(origin)) {
      return next(new HttpError(403, 'origin-not-allowed', 'This origin may not call the codec endpoint.'));
    }
    res
      .set({
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      })
      .status(204)
      .end();
  };
}
