import {
  ActivityFailure,
  ApplicationFailure,
  getExternalWorkflowHandle,
  patched,
} from '@temporalio/workflow';
import { connectionChangedSignal, deliveryWorkflowId } from '../delivery-messages';
import { setupFailureTypes } from '../setup-messages';
import { activationFailureEndsSetupPatch, fail, storeCalls } from './calls';
import type { SetupMachine } from './machine';

/** The last step is done: the connection becomes active (and parked deliveries resume). */
export async function activate(m: SetupMachine): Promise<void> {
  const { state, input } = m;
  try {
    await m.attempt('terms', () =>
      storeCalls.activateConnection({
        ...m.base,
        mode: input.mode,
        authorizationId: m.authorizationId ?? null,
        settings: state.settings,
        consent: m.consent && { ...m.consent, scopes: m.scopes },
      }),
    );
  } catch (error) {
    if (!patched(activationFailureEndsSetupPatch)) throw error;
    return activationFailed(m, error);
  }
  state.status = 'active';
  if (input.mode === 'reauthorize') await resumeWaitingDeliveries(m);
}

/**
 * Activation failed for good (the connection was disconnected meanwhile, or the store kept
 * failing): the setup ends `failed` with the reason instead of waiting for its expiry.
 */
async function activationFailed(m: SetupMachine, error: unknown): Promise<never> {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const message =
    cause instanceof ApplicationFailure && cause.type === setupFailureTypes.connectionClosed
      ? cause.message
      : 'Relais could not activate the connection. Start the setup again.';
  m.state.lastError = { step: 'activation', code: 'activation-failed', message };
  await storeCalls.endSetup({ ...m.base, mode: m.input.mode, status: 'failed', message });
  m.state.status = 'failed';
  throw fail(setupFailureTypes.connectionClosed, message);
}

/** Deliveries parked while the connection needed re-authorization resume at once. */
async function resumeWaitingDeliveries(m: SetupMachine): Promise<void> {
  const documentIds = await storeCalls.listWaitingDeliveries({
    tenantId: m.input.tenantId,
    connectionId: m.input.connectionId,
  });
  for (const documentId of documentIds) {
    const delivery = getExternalWorkflowHandle(deliveryWorkflowId(documentId, m.input.connectionId));
    await delivery.signal(connectionChangedSignal, { status: 'active' }).catch(() => undefined);
  }
}
