import { allHandlersFinished, condition, upsertSearchAttributes } from '@temporalio/workflow';
import type { SetupInput, SetupState } from './setup-messages';
import { connectorKey, connectionKey, tenantKey } from './search-attributes';
import { waitUntilSetupEnds } from './setup/expiry';
import { registerSetupHandlers } from './setup/handlers';
import { SetupMachine } from './setup/machine';

/**
 * One connection's setup: walks the connector's declared steps in order, each submitted by the API
 * through an update (validated, answered at once), then activates the connection. Ends active,
 * cancelled, expired (no activity for `expiryMs`) or failed.
 *
 * The pieces live under setup/: machine (state, step transitions), steps (one handler per submitted
 * step, OAuth callback), activation, validation, handlers (query and updates), expiry (the wait loop).
 */
export async function connectionSetupWorkflow(input: SetupInput): Promise<SetupState> {
  const m = new SetupMachine(input);
  upsertSearchAttributes([
    { key: tenantKey, value: input.tenantId },
    { key: connectorKey, value: input.connectorId },
    { key: connectionKey, value: input.connectionId },
  ]);
  registerSetupHandlers(m);

  try {
    await m.enterStep();
  } catch (error) {
    // Preparing the first step failed (e.g. the administrations could not be listed): the state says why.
    if (!m.state.lastError) throw error;
  }
  m.prepared = true;

  await waitUntilSetupEnds(m);
  await condition(allHandlersFinished);
  return m.state;
}
