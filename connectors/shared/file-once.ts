/*
 * Exactly-once filing of one document at a target whose assumed contract has no idempotency key
 * (BoCount, Count-e): the document is sent with our delivery id as its external id; before sending,
 * Relais asks the target for a document with that external id (a retried attempt after a crash finds
 * its predecessor's), and a 409 on the upload (the same id filed meanwhile) also means "already there".
 */
import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import { exchange, jsonOf, successOrFailure, type Exchange } from './user-url-http';

/** The assumed wire names of the documents resource, configurable per connector. */
export interface DocumentsResource {
  /** Full URL of the collection: GET ?<externalIdParam>= lists, POST files one. */
  url: string;
  /** Query parameter and upload header carrying our delivery id. */
  externalIdParam: string;
  externalIdHeader: string;
  /** Authorization and any target-specific headers (a customer number, ...). */
  headers: Record<string, string>;
}

interface FiledDocument {
  id: string;
}

/** The values sent as X-Document-Type: which ledger the target books the invoice in. */
const ledgerOf = { 'purchase-invoice': 'purchase', 'sales-invoice': 'sales' } as const;

export async function fileOnce(
  how: Omit<Exchange, 'action'>,
  resource: DocumentsResource,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  const lookup = { ...how, action: `look for invoice ${input.document.number}` };
  const search = new URL(resource.url);
  search.searchParams.set(resource.externalIdParam, input.deliveryId);
  const found = jsonOf<{ documents?: FiledDocument[] }>(
    lookup,
    successOrFailure(
      lookup,
      await exchange(lookup, search.toString(), {
        headers: { ...resource.headers, accept: 'application/json' },
      }),
    ),
  );
  const existing = found.documents?.[0];
  if (existing) return receipt(existing.id, true);

  const upload = { ...how, action: `file invoice ${input.document.number}` };
  const answer = await exchange(upload, resource.url, {
    method: 'POST',
    headers: {
      ...resource.headers,
      accept: 'application/json',
      'content-type': input.contentType,
      [resource.externalIdHeader]: input.deliveryId,
      'x-document-type': ledgerOf[input.documentType],
      'x-file-name': input.fileName,
    },
    body: input.content,
  });
  if (answer.status === 409) {
    const duplicate = jsonOf<Partial<FiledDocument>>(upload, answer);
    if (typeof duplicate.id === 'string') return receipt(duplicate.id, true);
  }
  const filed = jsonOf<Partial<FiledDocument>>(upload, successOrFailure(upload, answer));
  if (typeof filed.id !== 'string') {
    // Accepted without the id the contract promises: the next attempt's lookup finds it if it was filed.
    throw new ConnectorError(
      'unavailable',
      `${how.target} accepted invoice ${input.document.number} without saying under which id.`,
      { status: answer.status },
    );
  }
  return receipt(filed.id, false);
}

function receipt(remoteId: string, alreadyPresent: boolean): DeliveryReceipt {
  return { remoteId, alreadyPresent };
}
