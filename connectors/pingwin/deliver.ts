import type { DeliveryInput, DeliveryReceipt } from '../types';
import { createPingwinClient, type PingwinDocument } from './client';
import type { PingwinConfig } from './config';
import { pingwinAccess } from './access';

/**
 * Files one e-FFF document in the PingWin file, exactly once: first asks PingWin for a document under
 * our delivery id (an earlier attempt may have got it there before its answer was lost), then uploads
 * with that id as Idempotency-Key, so a race between two attempts still ends with one document.
 */
export async function deliverToPingwin(
  config: PingwinConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  const client = createPingwinClient(config, pingwinAccess(input.settings, input.credentials));
  const existing = await client.findDocument(input.deliveryId);
  if (existing) return receipt(existing, true);
  const { document, duplicate } = await client.uploadDocument({
    externalId: input.deliveryId,
    direction: input.documentType === 'sales-invoice' ? 'sales' : 'purchase',
    fileName: input.fileName,
    content: input.content,
  });
  return receipt(document, duplicate);
}

function receipt(document: PingwinDocument, alreadyPresent: boolean): DeliveryReceipt {
  return { remoteId: document.id, alreadyPresent };
}
