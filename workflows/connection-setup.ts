import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/delivery';
import type { SetupActivities } from '../activities/setup';
import type { SetupStep } from '../connectors/types';
import {
  cancelSetupUpdate,
  completeOAuthUpdate,
  openSetupUpdate,
  setupFailureTypes,
  setupStateQuery,
  submitStepUpdate,
  type OAuthOutcome,
  type SetupInput,
  type SetupState,
  type StepInput,
} from './setup-messages';
import { connectionChangedSignal, deliveryWorkflowId } from './delivery-messages';
import { connectorKey, connectionKey, tenantKey } from './search-attributes';

// Steps answer a person waiting in a browser: fail fast, the user retries. Only infrastructure hiccups retry.
const targetCalls = proxyActivities<SetupActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    maximumAttempts: 2,
    initialInterval: '500 milliseconds',
    nonRetryableErrorTypes: [setupFailureTypes.refused],
  },
});
const storeCalls = proxyActivities<SetupActivities & DeliveryActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, initialInterval: '200 milliseconds' },
});

/** Marks histories in which a failed activation ends the setup (issue 10.2). */
const activationFailureEndsSetupPatch = 'activation-failure-ends-setup';

const fail = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * One connection's setup: walks the connector's declared steps in order, each submitted by the API
 * through an update (validated, answered at once), then activates the connection. Ends active,
 * cancelled, expired (no activity for `expiryMs`) or failed.
 */
export async function connectionSetupWorkflow(input: SetupInput): Promise<SetupState> {
  const state: SetupState = {
    connectionId: input.connectionId,
    connectorId: input.connectorId,
    mode: input.mode,
    status: 'setting-up',
    steps: input.steps,
    currentStep: input.steps[0] ?? null,
    completedSteps: [],
    settings: { ...input.settings },
    expiresAt: new Date(Date.now() + input.expiryMs).toISOString(),
  };
  let authorizationId = input.authorizationId;
  let scopes: string[] = [];
  let consent: { termsVersion: string; acceptedBy: string; acceptedAt: string } | undefined;
  let prepared = false;
  let touchedAt = Date.now();
  let oauthDeadline: number | undefined;
  const base = { tenantId: input.tenantId, connectionId: input.connectionId, connectorId: input.connectorId };

  upsertSearchAttributes([
    { key: tenantKey, value: input.tenantId },
    { key: connectorKey, value: input.connectorId },
    { key: connectionKey, value: input.connectionId },
  ]);

  /** Runs a step's work; a refusal is recorded for the frontend and re-thrown to the update caller. */
  async function attempt<T>(step: SetupState['currentStep'] & string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      delete state.lastError;
      return result;
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      if (cause instanceof ApplicationFailure && cause.type === setupFailureTypes.refused) {
        const code = String((cause.details?.[0] as { kind?: string } | undefined)?.kind ?? 'refused');
        state.lastError = { step, code, message: cause.message };
        throw fail(setupFailureTypes.refused, cause.message);
      }
      throw error;
    }
  }

  async function advance(): Promise<void> {
    const done = state.currentStep;
    if (done) state.completedSteps.push(done);
    state.currentStep = state.steps[state.steps.indexOf(done as SetupStep) + 1] ?? null;
    await enterStep();
  }

  /** Work a step needs before it can be shown: reuse a shared grant, list the administrations. */
  async function enterStep(): Promise<void> {
    if (state.currentStep === 'oauth' && input.sharedAuthorization && input.mode === 'create') {
      const shared = await storeCalls.findSharedAuthorization({
        tenantId: input.tenantId,
        connectorId: input.connectorId,
      });
      if (shared) {
        authorizationId = shared.id;
        state.authorization = { id: shared.id, accountName: shared.accountName, reused: true };
        state.settings = { ...shared.settings, ...state.settings };
        return advance();
      }
    }
    if (state.currentStep === 'administration') {
      state.administrations = await attempt('administration', () =>
        targetCalls.listAdministrations({
          ...base,
          authorizationId: authorizationId!,
          settings: state.settings,
        }),
      );
    }
    if (state.currentStep === null) await activate();
  }

  async function activate(): Promise<void> {
    try {
      await attempt('terms', () =>
        storeCalls.activateConnection({
          ...base,
          mode: input.mode,
          authorizationId: authorizationId ?? null,
          settings: state.settings,
          consent: consent && { ...consent, scopes },
        }),
      );
    } catch (error) {
      if (!patched(activationFailureEndsSetupPatch)) throw error;
      return activationFailed(error);
    }
    state.status = 'active';
    if (input.mode === 'reauthorize') await resumeWaitingDeliveries();
  }

  /**
   * Activation failed for good (the connection was disconnected meanwhile, or the store kept
   * failing): the setup ends `failed` with the reason instead of waiting for its expiry.
   */
  async function activationFailed(error: unknown): Promise<never> {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const message =
      cause instanceof ApplicationFailure && cause.type === setupFailureTypes.connectionClosed
        ? cause.message
        : 'Relais could not activate the connection. Start the setup again.';
    state.lastError = { step: 'activation', code: 'activation-failed', message };
    await storeCalls.endSetup({ ...base, mode: input.mode, status: 'failed', message });
    state.status = 'failed';
    throw fail(setupFailureTypes.connectionClosed, message);
  }

  /** Deliveries parked while the connection needed re-authorization resume at once. */
  async function resumeWaitingDeliveries(): Promise<void> {
    const documentIds = await storeCalls.listWaitingDeliveries({
      tenantId: input.tenantId,
      connectionId: input.connectionId,
    });
    for (const documentId of documentIds) {
      const delivery = getExternalWorkflowHandle(deliveryWorkflowId(documentId, input.connectionId));
      await delivery.signal(connectionChangedSignal, { status: 'active' }).catch(() => undefined);
    }
  }

  async function runStep(step: StepInput): Promise<void> {
    switch (step.step) {
      case 'format':
        state.settings.format = step.format;
        break;
      case 'credentials': {
        const checked = await attempt('credentials', () =>
          targetCalls.checkCredentials({
            ...base,
            secretRef: step.secretRef,
            values: step.values,
            settings: state.settings,
            replaceAuthorizationId: authorizationId,
          }),
        );
        authorizationId = checked.authorizationId;
        state.settings = { ...state.settings, ...checked.settings };
        state.authorization = {
          id: checked.authorizationId,
          accountName: checked.accountName,
          reused: false,
        };
        break;
      }
      case 'oauth': {
        state.settings = { ...state.settings, ...step.values };
        state.oauth = await attempt('oauth', () =>
          storeCalls.beginOAuth({
            ...base,
            settings: state.settings,
            returnUrl: step.returnUrl,
            waitMs: input.oauthWaitMs,
          }),
        );
        oauthDeadline = Date.now() + input.oauthWaitMs;
        return; // the step completes when the callback arrives (completeOAuth)
      }
      case 'administration':
        state.settings = { ...state.settings, ...step.values, administrationIds: step.administrationIds };
        break;
      case 'terms':
        consent = {
          termsVersion: step.termsVersion,
          acceptedBy: step.acceptedBy,
          acceptedAt: new Date().toISOString(),
        };
        break;
    }
    await advance();
  }

  async function finishOAuth(outcome: OAuthOutcome): Promise<void> {
    delete state.oauth;
    oauthDeadline = undefined;
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
    const completed = await attempt('oauth', () =>
      targetCalls.completeOAuth({
        ...base,
        stateId: outcome.stateId,
        codeRef: outcome.codeRef,
        settings: state.settings,
        replaceAuthorizationId: authorizationId,
      }),
    );
    authorizationId = completed.authorizationId;
    scopes = completed.scopes;
    state.authorization = {
      id: completed.authorizationId,
      accountName: completed.accountName,
      reused: false,
    };
    await advance();
  }

  const assertOpen = () => {
    if (state.status !== 'setting-up') throw fail(setupFailureTypes.closed, `This setup is ${state.status}.`);
  };
  /** The step whose submission is being handled (a credentials check can take seconds). */
  let submitting: SetupStep | undefined;
  const assertSubmittable = (step: StepInput) => {
    assertOpen();
    if (submitting) {
      throw fail(
        setupFailureTypes.notCurrent,
        `The ${submitting} step is already being checked; wait for its answer.`,
      );
    }
    if (step.step !== state.currentStep) {
      throw fail(
        setupFailureTypes.notCurrent,
        `The current step is "${state.currentStep}", not "${step.step}".`,
      );
    }
  };
  const touch = () => {
    touchedAt = Date.now();
    state.expiresAt = new Date(touchedAt + input.expiryMs).toISOString();
  };

  setHandler(setupStateQuery, () => state);
  setHandler(openSetupUpdate, async () => {
    await condition(() => prepared);
    return state;
  });
  setHandler(
    submitStepUpdate,
    async (step) => {
      // Updates sent together are all validated before any handler runs: the first one to get here
      // takes the step, the others are refused as the validator would refuse them a moment later.
      assertSubmittable(step);
      submitting = step.step;
      try {
        touch();
        await runStep(step);
      } finally {
        submitting = undefined;
      }
      return state;
    },
    {
      validator: (step) => {
        assertSubmittable(step);
        if (step.step === 'format' && !input.formats.includes(step.format)) {
          throw fail(
            setupFailureTypes.invalidInput,
            `Choose one of the formats: ${input.formats.join(', ')}.`,
          );
        }
        if (step.step === 'administration') validateAdministrations(step.administrationIds);
        if (step.step === 'terms' && (!step.accepted || step.termsVersion !== input.termsVersion)) {
          throw fail(
            setupFailureTypes.invalidInput,
            `Accept the terms of service (version ${input.termsVersion}) to connect.`,
          );
        }
      },
    },
  );
  setHandler(
    completeOAuthUpdate,
    async (outcome) => {
      touch();
      await finishOAuth(outcome);
      return state;
    },
    {
      validator: (outcome) => {
        assertOpen();
        if (state.currentStep !== 'oauth' || state.oauth?.stateId !== outcome.stateId) {
          throw fail(setupFailureTypes.notCurrent, 'This sign-in is not the one the setup is waiting for.');
        }
      },
    },
  );
  setHandler(
    cancelSetupUpdate,
    async () => {
      await storeCalls.endSetup({
        ...base,
        mode: input.mode,
        status: 'cancelled',
        message: 'Cancelled by the user.',
      });
      state.status = 'cancelled';
      return state;
    },
    { validator: assertOpen },
  );

  function validateAdministrations(ids: string[] | 'all'): void {
    if (ids === 'all') {
      if (!input.allowAllAdministrations)
        throw fail(setupFailureTypes.invalidInput, 'Choose an administration.');
      return;
    }
    const known = new Set((state.administrations ?? []).map((a) => a.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (ids.length === 0 || unknown.length) {
      throw fail(
        setupFailureTypes.invalidInput,
        `Choose among the administrations listed${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
      );
    }
  }

  try {
    await enterStep();
  } catch (error) {
    // Preparing the first step failed (e.g. the administrations could not be listed): the state says why.
    if (!state.lastError) throw error;
  }
  prepared = true;

  while (state.status === 'setting-up') {
    const seen = touchedAt;
    const seenDeadline = oauthDeadline;
    const now = Date.now();
    const untilExpiry = touchedAt + input.expiryMs - now;
    const untilOAuth = oauthDeadline === undefined ? Infinity : oauthDeadline - now;
    const changed = await condition(
      // A sign-in that starts (or ends) while we wait moves the deadline: wake up and re-arm the timer.
      () => state.status !== 'setting-up' || touchedAt !== seen || oauthDeadline !== seenDeadline,
      Math.max(1, Math.min(untilExpiry, untilOAuth)),
    );
    if (changed) continue;
    if (
      oauthDeadline !== undefined &&
      Date.now() >= oauthDeadline &&
      touchedAt + input.expiryMs > Date.now()
    ) {
      delete state.oauth;
      oauthDeadline = undefined;
      state.lastError = {
        step: 'oauth',
        code: 'oauth-timeout',
        message: 'The sign-in was not completed in time. Start it again.',
      };
      continue;
    }
    await storeCalls.endSetup({
      ...base,
      mode: input.mode,
      status: 'expired',
      message: 'The setup was abandoned and expired.',
    });
    state.status = 'expired';
  }
  await condition(allHandlersFinished);
  return state;
}
