import { ApplicationFailure } from '@temporalio/activity';
import { ConnectorError } from '../connectors/errors';
import { setupFailureTypes } from '../workflows/setup-messages';

/**
 * Setup steps answer a person: every refusal by the target (wrong password, unreachable host,
 * declined grant) ends the attempt with the target's plain message, not a retry loop.
 */
export async function refusalsEndTheStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConnectorError) {
      throw ApplicationFailure.create({
        type: setupFailureTypes.refused,
        message: error.message,
        nonRetryable: true,
        details: [{ kind: error.kind }],
      });
    }
    throw error;
  }
}
