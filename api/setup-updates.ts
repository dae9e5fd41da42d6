import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowExecutionAlreadyStartedError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { setupFailureTypes } from '../workflows/setup-messages';
import { HttpError } from './errors';

const statusByType: Record<string, [number, string]> = {
  [setupFailureTypes.notCurrent]: [409, 'step-not-current'],
  [setupFailureTypes.closed]: [409, 'setup-closed'],
  [setupFailureTypes.invalidInput]: [400, 'invalid-step-input'],
  [setupFailureTypes.refused]: [422, 'target-refused'],
  [setupFailureTypes.connectionClosed]: [409, 'connection-closed'],
};

/** Sends a setup update and turns the workflow's refusals into the API's HTTP errors. */
export async function sendSetupUpdate<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const mapped = statusByType[error.cause.type ?? ''];
      if (mapped) throw new HttpError(mapped[0], mapped[1], error.cause.message);
    }
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, 'setup-running', 'A setup is already running for this connection.');
    }
    if (error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && error.code === 5)) {
      throw new HttpError(409, 'no-setup-running', 'No setup is running for this connection.');
    }
    throw error;
  }
}
