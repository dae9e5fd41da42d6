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

export const fail = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });
