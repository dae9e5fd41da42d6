import type { OAuthOutcome, StepInput } from '../setup-messages';
import { storeCalls, targetCalls } from './calls';
import type { SetupMachine } from './machine';

// Each step's work is inline (not a helper per step) so the awaits, and thus the order in which
// concurrent handlers resume, stay exactly those of the histories already recorded.

/** Handles one submitted step, then moves on to the next (except oauth, which waits for its callback). */
export async function runStep(m: SetupMachine, step: StepInput): Promise<void> {
  switch (step.step) {
    case 'format':
      m.state.settings.format = step.format;
      break;
    case 'credentials': {
      const checked = await m.attempt('credentials', () =>
        targetCalls.checkCredentials({
          ...m.base,
          secretRef: step.secretRef,
          values: step.values,
          settings: m.state.settings,
          replaceAuthorizationId: m.authorizationId,
        }),
      );
      m.authorizationId = checked.authorizationId;
      m.state.settings = { ...m.state.settings, ...checked.settings };
      m.state.authorization = {
        id: checked.authorizationId,
        accountName: checked.accountName,
        reused: false,
      };
      break;
    }
    case 'oauth': {
      m.state.settings = { ...m.state.settings, ...step.values };
      m.state.oauth = await m.attempt('oauth', () =>
        storeCalls.beginOAuth({
          ...m.base,
          settings: m.state.settings,
          returnUrl: step.returnUrl,
          waitMs: m.input.oauthWaitMs,
        }),
      );
      m.oauthDeadline = Date.now() + m.input.oauthWaitMs;
      return; // the step completes when the callback arrives (completeOAuth)
    }
    case 'administration':
      m.state.settings = { ...m.state.settings, ...step.values, administrationIds: step.administrationIds };
      break;
    case 'terms':
      m.consent = {
        termsVersion: step.termsVersion,
        acceptedBy: step.acceptedBy,
        acceptedAt: new Date().toISOString(),
      };
      break;
  }
  await m.advance();
}

/** The OAuth callback arrived: a refusal is shown to the user, a code is exchanged for a grant. */
export async function finishOAuth(m: SetupMachine, outcome: OAuthOutcome): Promise<void> {
  const { state } = m;
  delete state.oauth;
  m.oauthDeadline = undefined;
  if ('error' in outcome) {
    const denied = outcome.error === 'access_denied';
    state.lastError = {
      step: 'oauth',
      code: outcome.error,
      message: denied
        ? 'You declined the access request at the service. Sign in again and choose Allow to connect.'
        : `The service ended the sign-in with "${outcome.error}"${outcome.errorDescription ? `: ${outcome.errorDescription}` : ''}. Sign in again.`,
    };
    return;
  }
  const completed = await m.attempt('oauth', () =>
    targetCalls.completeOAuth({
      ...m.base,
      stateId: outcome.stateId,
      codeRef: outcome.codeRef,
      settings: state.settings,
      replaceAuthorizationId: m.authorizationId,
    }),
  );
  m.authorizationId = completed.authorizationId;
  m.scopes = completed.scopes;
  state.authorization = {
    id: completed.authorizationId,
    accountName: completed.accountName,
    reused: false,
  };
  await m.advance();
}
