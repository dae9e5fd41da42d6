import type { Credentials, DeliveryInput, Settings } from '../../connectors/types';

let sequence = 0;

/**
 * A DeliveryInput as the delivery activity hands it to a connector: a small UBL invoice with its own
 * number and delivery id on each call, for connector tests that run a client against its fake.
 */
export function sampleDeliveryInput(
  settings: Settings,
  credentials: Credentials,
  overrides: Partial<DeliveryInput> = {},
): DeliveryInput {
  sequence += 1;
  const number = `F2026/${String(sequence).padStart(4, '0')}`;
  return {
    deliveryId: `delivery-${process.pid}-${sequence}`,
    documentType: 'purchase-invoice',
    fileName: `2026-01-31_F2026_${String(sequence).padStart(4, '0')}.xml`,
    content: Buffer.from(`<?xml version="1.0"?><Invoice><ID>${number}</ID></Invoice>`),
    contentType: 'application/xml',
    pdf: () => Promise.reject(new Error('this target takes no PDF')),
    document: {
      number,
      issueDate: '2026-01-31',
      kind: 'invoice',
      supplierName: 'Fournisseur SA',
      supplierVat: 'BE0827405743',
      customerName: 'ACME BV',
      customerVat: 'BE0403019261',
    },
    settings,
    credentials,
    ...overrides,
  };
}
