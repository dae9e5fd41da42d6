import { ConnectorError } from '../errors';
import { connectionValues } from '../shared/step-values';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import { fileDocument } from './client';
import type { CountEConfig } from './config';

/**
 * Delivers one e-FFF document to the connection's Count-e database, tagged with the customer number
 * the user entered. That number is the tenant's own on the platform: when Relais knows the tenant's
 * (DeliveryInput.company.externalId) and it differs, the document would land under another company
 * in Count-e, so nothing is sent.
 */
export async function deliverToCountE(config: CountEConfig, input: DeliveryInput): Promise<DeliveryReceipt> {
  const { customerNumber, ...account } = connectionValues('Count-e', input, {
    settings: ['apiUrl', 'username', 'database', 'customerNumber'],
    secrets: ['password'],
  });
  const own = input.company?.externalId;
  if (own !== undefined && own !== customerNumber) {
    throw new ConnectorError(
      'misconfigured',
      `This Count-e connection was set up with customer number ${customerNumber}, but this company's ` +
        `customer number is ${own}. Set the connection up again with ${own}.`,
    );
  }
  return fileDocument(config, account, customerNumber, input);
}
