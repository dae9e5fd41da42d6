import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`failureConverterPath`) by clients, workers and the workflow bundle: failures made
 * inside the workflow sandbox are converted there. Encoding the common attributes moves each failure's
 * message and stack trace into a payload, which the payload codec then encrypts.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
