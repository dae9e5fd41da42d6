import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes operators use in the Temporal UI to find deliveries and setups
 * (e.g. `RelaisDeliveryStatus = "failed" AND RelaisConnector = "exact-online"`).
 * The dev-server script and `ensureSearchAttributes` register exactly this list.
 */
export const tenantKey = defineSearchAttributeKey('RelaisTenant', 'KEYWORD');
export const connectorKey = defineSearchAttributeKey('RelaisConnector', 'KEYWORD');
export const connectionKey = defineSearchAttributeKey('RelaisConnection', 'KEYWORD');
export const deliveryStatusKey = defineSearchAttributeKey('RelaisDeliveryStatus', 'KEYWORD');
export const documentIdKey = defineSearchAttributeKey('RelaisDocumentId', 'KEYWORD');

export const relaisSearchAttributes = [
  tenantKey,
  connectorKey,
  connectionKey,
  deliveryStatusKey,
  documentIdKey,
];
