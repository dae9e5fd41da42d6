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

/** Temporal did not answer (down, unreachable): the request changed nothing and may be retried. */
export function isTemporalUnreachable(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (isGrpcServiceError(cause) && (cause.code === 14 || cause.code === 4)) return true;
  }
  return false;
}

export const temporalUnavailable = () =>
  new HttpError(
    503,
    'temporal-unavailable',
    'Temporal cannot be reached right now; nothing was changed. Try again in a moment.',
    [],
    { 'retry-after': '5' },
  );

/** Sends a setup update and turns the workflow's refusals into the API's HTTP errors. */
export async function sendSetupUpdate<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const mapped = statusByType[error.cause.type ?? ''];
      // A refused step's code (invalid-credentials, unavailable, ...) travels as `reason`: the reader translates it.
      const reason = (error.cause.details?.[0] as { reason?: unknown } | undefined)?.reason;
      const extra: Record<string, string> = typeof reason === 'string' ? { reason } : {};
      if (mapped) throw new HttpError(mapped[0], mapped[1], error.cause.message, [], {}, extra);
    }
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, 'setup-running', 'A setup is already running for this connection.');
    }
    if (error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && error.code === 5)) {
      throw new HttpError(409, 'no-setup-running', 'No setup is running for this connection.');
    }
    if (isTemporalUnreachable(error)) throw temporalUnavailable();
    throw error;
  }
}
