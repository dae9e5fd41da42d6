import { connectionValues } from '../shared/step-values';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import { fileDocument } from './client';
import type { BocountConfig } from './config';

/** Delivers one e-FFF document to the connection's BoCount company. */
export async function deliverToBocount(
  config: BocountConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  const file = connectionValues('BoCount', input, {
    settings: ['baseUrl', 'username', 'companyNumber'],
    secrets: ['password'],
  });
  return fileDocument(config, file, input);
}
