import { condition, setHandler } from '@temporalio/workflow';
import {
  cancelSetupUpdate,
  completeOAuthUpdate,
  openSetupUpdate,
  setupStateQuery,
  submitStepUpdate,
} from '../setup-messages';
import { storeCalls } from './calls';
import type { SetupMachine } from './machine';
import { finishOAuth, runStep } from './steps';
import { assertOpen, assertSubmittable, validateOAuthOutcome, validateStep } from './validation';

/** The query and updates the API uses to drive a setup. */
export function registerSetupHandlers(m: SetupMachine): void {
  const { state } = m;
  setHandler(setupStateQuery, () => state);
  setHandler(openSetupUpdate, async () => {
    await condition(() => m.prepared);
    return state;
  });
  setHandler(
    submitStepUpdate,
    async (step) => {
      // Updates sent together are all validated before any handler runs: the first one to get here
      // takes the step, the others are refused as the validator would refuse them a moment later.
      assertSubmittable(m, step);
      m.submitting = step.step;
      try {
        m.touch();
        await runStep(m, step);
      } finally {
        m.submitting = undefined;
      }
      return state;
    },
    { validator: (step) => validateStep(m, step) },
  );
  setHandler(
    completeOAuthUpdate,
    async (outcome) => {
      m.touch();
      await finishOAuth(m, outcome);
      return state;
    },
    { validator: (outcome) => validateOAuthOutcome(m, outcome) },
  );
  setHandler(
    cancelSetupUpdate,
    async () => {
      await storeCalls.endSetup({
        ...m.base,
        mode: m.input.mode,
        status: 'cancelled',
        message: 'Cancelled by the user.',
      });
      state.status = 'cancelled';
      return state;
    },
    { validator: () => assertOpen(m) },
  );
}
