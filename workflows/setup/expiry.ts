import { condition } from '@temporalio/workflow';
import { storeCalls } from './calls';
import type { SetupMachine } from './machine';

/**
 * Waits while the setup is open: a sign-in not completed by its deadline is dropped (the setup stays
 * open), a setup without activity for `expiryMs` ends expired.
 */
export async function waitUntilSetupEnds(m: SetupMachine): Promise<void> {
  const { state, input } = m;
  while (state.status === 'setting-up') {
    const seen = m.touchedAt;
    const seenDeadline = m.oauthDeadline;
    const now = Date.now();
    const untilExpiry = m.touchedAt + input.expiryMs - now;
    const untilOAuth = m.oauthDeadline === undefined ? Infinity : m.oauthDeadline - now;
    const changed = await condition(
      // A sign-in that starts (or ends) while we wait moves the deadline: wake up and re-arm the timer.
      () => state.status !== 'setting-up' || m.touchedAt !== seen || m.oauthDeadline !== seenDeadline,
      Math.max(1, Math.min(untilExpiry, untilOAuth)),
    );
    if (changed) continue;
    if (
      m.oauthDeadline !== undefined &&
      Date.now() >= m.oauthDeadline &&
      m.touchedAt + input.expiryMs > Date.now()
    ) {
      delete state.oauth;
      m.oauthDeadline = undefined;
      state.lastError = {
        step: 'oauth',
        code: 'oauth-timeout',
        message: 'The sign-in was not completed in time. Start it again.',
      };
      continue;
    }
    await storeCalls.endSetup({
      ...m.base,
      mode: input.mode,
      status: 'expired',
      message: 'The setup was abandoned and expired.',
    });
    state.status = 'expired';
  }
}
