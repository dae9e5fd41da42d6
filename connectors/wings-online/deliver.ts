import type { DeliveryInput, DeliveryReceipt } from '../types';
import { journalFor, wingsAccess } from './access';
import { createWingsClient } from './client';
import type { WingsConfig } from './config';

/**
 * Imports one e-FFF document into the Wings journal of its document type, exactly once: first asks
 * Wings for a booking under our delivery id (an earlier attempt may have made it before its answer was
 * lost), then imports with that id as external reference, which Wings refuses to book twice.
 */
export async function deliverToWings(config: WingsConfig, input: DeliveryInput): Promise<DeliveryReceipt> {
  const journal = journalFor(input.settings, input.documentType);
  const client = createWingsClient(config, wingsAccess(input.settings, input.credentials));
  const existing = await client.findDocument(input.deliveryId);
  if (existing) return { remoteId: existing, alreadyPresent: true, details: { journal } };
  const { documentId, duplicate } = await client.importDocument({
    journal,
    externalReference: input.deliveryId,
    fileName: input.fileName,
    content: input.content,
  });
  return { remoteId: documentId, alreadyPresent: duplicate, details: { journal } };
}
