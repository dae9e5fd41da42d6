import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities } from '../../activities/delivery';
import type { SetupActivities } from '../../activities/setup';
import { setupFailureTypes } from '../setup-messages';

// Steps answer a person waiting in a browser: fail fast, the user retries. Only infrastructure hiccups retry.
export const targetCalls = proxyActivities<SetupActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    maximumAttempts: 2,
    initialInterval: '500 milliseconds',
    nonRetryableErrorTypes: [setupFailureTypes.refused],
  },
});
export const storeCalls = proxyActivities<SetupActivities & DeliveryActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, initialInterval: '200 milliseconds' },
});

/** Marks histories in which a failed activation ends the setup (issue 10.2). */
export const activationFailureEndsSetupPatch = 'activation-failure-ends-setup';

/** A refusal for the update caller; `reason` (a refused step's code) lets the API pass the code on. */
export const fail = (type: string, message: string, reason?: string) =>
  ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(reason ? { details: [{ reason }] } : {}),
  });
