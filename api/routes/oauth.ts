import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Response } from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import { bindOAuthState, consumeOAuthState, findOAuthState, hashNonce } from '../../db/oauth-states';
import { deleteSubmittedSecret, storeSubmittedSecret } from '../../db/submitted-secrets';
import type { Vault } from '../../platform/vault';
import { completeOAuthUpdate, setupWorkflowId, type OAuthOutcome } from '../../workflows/setup-messages';
import { HttpError } from '../errors';

const cookieName = 'relais_oauth';

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // malformed percent-encoding: no usable cookie
    }
  }
  return undefined;
}

/** A page for the browser when there is no trusted return URL to send it back to. */
function explain(res: Response, status: number, message: string): void {
  const escaped = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><meta charset="utf-8"><title>Relais</title><main><h1>Sign-in not completed</h1><p>${escaped}</p></main>`,
    );
}

/**
 * The browser side of OAuth. `/start/:state` binds the state to this browser (a random cookie whose
 * hash is stored) and sends it to the provider; `/callback` accepts the provider's answer only from
 * that browser, once, before expiry, then advances the setup workflow and sends the browser back to
 * the frontend's (allow-listed) return URL with the outcome.
 */
export function oauthRoutes(deps: {
  pool: pg.Pool;
  vault: Vault;
  temporal: Client;
  secureCookies: boolean;
}): Router {
  const router = Router();
  const { pool } = deps;

  router.get('/oauth/start/:stateId', async (req, res) => {
    const state = await findOAuthState(pool, req.params.stateId);
    if (!state || state.usedAt || state.expiresAt.getTime() <= Date.now()) {
      return explain(
        res,
        400,
        'This sign-in link has expired or was already used. Start the sign-in again from the setup.',
      );
    }
    const existing = readCookie(req.headers.cookie, cookieName);
    const alreadyOurs =
      existing && state.browserNonceHash && timingSafeEqual(hashNonce(existing), state.browserNonceHash);
    if (!alreadyOurs) {
      const nonce = randomBytes(24).toString('base64url');
      if (!(await bindOAuthState(pool, state.id, nonce))) {
        return explain(
          res,
          409,
          'This sign-in was opened in another browser. Start the sign-in again from the setup.',
        );
      }
      res.cookie(cookieName, nonce, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        path: '/v1/oauth',
        maxAge: state.expiresAt.getTime() - Date.now(),
      });
    }
    res.redirect(302, state.providerUrl);
  });

  router.get('/oauth/callback', async (req, res) => {
    const stateId = typeof req.query.state === 'string' ? req.query.state : '';
    const state = stateId ? await findOAuthState(pool, stateId) : undefined;
    if (!state) return explain(res, 400, 'This sign-in answer does not match any sign-in we started.');
    const nonce = readCookie(req.headers.cookie, cookieName);
    if (!nonce || !state.browserNonceHash || !timingSafeEqual(hashNonce(nonce), state.browserNonceHash)) {
      return explain(
        res,
        400,
        'This sign-in was started in another browser. Start it again from the setup in this browser.',
      );
    }
    if (!(await consumeOAuthState(pool, state.id))) {
      return explain(
        res,
        400,
        'This sign-in answer was already used or has expired. Start the sign-in again.',
      );
    }
    res.clearCookie(cookieName, { path: '/v1/oauth' });

    const error = typeof req.query.error === 'string' ? req.query.error : undefined;
    const code = typeof req.query.code === 'string' ? req.query.code : undefined;
    let outcome: OAuthOutcome;
    if (error || !code) {
      const description =
        typeof req.query.error_description === 'string'
          ? req.query.error_description.slice(0, 300)
          : undefined;
      outcome = {
        stateId: state.id,
        error: error ?? 'missing_code',
        ...(description ? { errorDescription: description } : {}),
      };
    } else {
      outcome = {
        stateId: state.id,
        codeRef: await storeSubmittedSecret(pool, deps.vault, state.tenantId, { code }),
      };
    }

    const back = new URL(state.returnUrl);
    back.searchParams.set('connectionId', state.connectionId);
    try {
      const handle = deps.temporal.workflow.getHandle(setupWorkflowId(state.connectionId));
      const setup = await handle.executeUpdate(completeOAuthUpdate, { args: [outcome] });
      const failed = setup.lastError?.step === 'oauth';
      back.searchParams.set('status', failed ? 'error' : 'ok');
      if (failed) back.searchParams.set('message', setup.lastError!.message);
      else if (setup.currentStep) back.searchParams.set('step', setup.currentStep);
    } catch (failure) {
      // The code was not spent (the state is, so it never will be): nothing of it stays stored.
      if ('codeRef' in outcome) await deleteSubmittedSecret(pool, state.tenantId, outcome.codeRef);
      back.searchParams.set('status', 'error');
      back.searchParams.set(
        'message',
        failure instanceof HttpError ? failure.message : signInFailed(failure),
      );
    }
    res.redirect(303, back.toString());
  });

  return router;
}

/** The workflow's refusal message (already written for people), or a generic one. */
function signInFailed(failure: unknown): string {
  const cause = (failure as { cause?: { message?: string } }).cause;
  return cause?.message ?? 'The sign-in could not be completed. Start it again.';
}
