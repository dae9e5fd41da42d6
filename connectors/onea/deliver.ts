import { ConnectorError } from '../errors';
import type {
  Credentials,
  DeliveryConfirmation,
  DeliveryInput,
  DeliveryReceipt,
  DocumentType,
} from '../types';
import { postEInvoice, transferStatus, type OneaConfig, type OneaDirection } from './client';

const directionOf: Record<DocumentType, OneaDirection> = {
  'purchase-invoice': 'incoming',
  'sales-invoice': 'outgoing',
};

/** Statuses meaning Onea gave up on the document. Not documented: the names are assumed (README). */
const FAILED_STATUSES = new Set(['ERROR', 'FAILED', 'REJECTED']);

function apiKeyOf(credentials: Credentials): string {
  const apiKey = credentials.kind === 'secrets' ? credentials.secrets.apiKey : undefined;
  if (!apiKey) throw new ConnectorError('auth-expired', 'The Onea API key is missing: enter it again.');
  return apiKey;
}

/**
 * Files the invoice and answers a pending receipt: Onea books it later, and the delivery workflow asks
 * `confirmOneaTransfer` until it is DONE. Onea takes no idempotency key; the caller stores the uuid at
 * once and never calls this again while it knows one.
 */
export async function deliverToOnea(config: OneaConfig, input: DeliveryInput): Promise<DeliveryReceipt> {
  const uuid = await postEInvoice(config, {
    apiKey: apiKeyOf(input.credentials),
    direction: directionOf[input.documentType],
    ubl: input.content,
  });
  return { alreadyPresent: false, pending: { reference: uuid }, details: { oneaUuid: uuid } };
}

export async function confirmOneaTransfer(
  config: OneaConfig,
  input: { reference: string },
): Promise<DeliveryConfirmation> {
  const answer = await transferStatus(config, input.reference);
  const status = answer.status.toUpperCase();
  if (status === 'DONE') {
    const id = answer.id === null || answer.id === undefined ? undefined : String(answer.id);
    return { done: true, ...(id ? { remoteId: id } : {}), details: { oneaUuid: input.reference } };
  }
  if (FAILED_STATUSES.has(status)) {
    const reason =
      typeof answer.message === 'string' && answer.message.trim() ? `: ${answer.message.trim()}` : '.';
    throw new ConnectorError(
      'rejected',
      `Onea could not process the invoice (transfer ${input.reference}, status ${answer.status})${reason}`,
    );
  }
  return { done: false };
}
