import assert from 'node:assert/strict';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { Credentials, DeliveryInput, Settings } from '../../connectors/types';
import { ublBeInvoice } from './delivery-api';

/** Asserts `promise` rejects with a ConnectorError of `kind` whose message matches `message`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  kind: ConnectorErrorKind,
  message: RegExp,
): Promise<ConnectorError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConnectorError, `expected a ConnectorError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, message);
  return caught;
}

/** A delivery of the UBL.BE test invoice (numbered `number`) as the delivery activity builds it. */
export function deliveryOf(
  deliveryId: string,
  settings: Settings,
  credentials: Credentials,
  overrides: Partial<DeliveryInput> = {},
): DeliveryInput {
  const number = `T-${deliveryId.slice(0, 8)}`;
  return {
    deliveryId,
    documentType: 'purchase-invoice',
    fileName: `2026-12-05_${number}.xml`,
    content: ublBeInvoice(number),
    contentType: 'application/xml',
    document: {
      number,
      issueDate: '2026-12-05',
      kind: 'invoice',
      supplierName: 'Leverancier NV',
      customerName: 'Klant BV',
    },
    settings,
    credentials,
    pdf: () => Promise.reject(new Error('these targets take the XML only')),
    ...overrides,
  };
}

/**
 * The SSRF cases each user-typed URL is tried with. `fake` is the https origin of the target's fake
 * on 127.0.0.1 (allowed in tests by RELAIS_NETWORK_ALLOW=127.0.0.0/8); `allowLoopback: false` means
 * the case runs with that allowance removed. The guard answers each before any request is sent.
 */
export function ssrfCases(fake: string): { url: string; allowLoopback: boolean; refusal: RegExp }[] {
  const port = new URL(fake).port;
  return [
    { url: fake.replace('https:', 'http:'), allowLoopback: true, refusal: /only over https, not to http:/ },
    {
      url: 'https://169.254.169.254/latest/meta-data/',
      allowLoopback: true,
      refusal: /^169\.254\.169\.254 is a link-local address \(this includes the cloud metadata service/,
    },
    { url: fake, allowLoopback: false, refusal: /^127\.0\.0\.1 is a loopback address/ },
    {
      url: `https://localhost:${port}/`,
      allowLoopback: false,
      refusal: /^localhost resolves to a loopback address/,
    },
    { url: 'https://10.1.2.3/ws', allowLoopback: true, refusal: /^10\.1\.2\.3 is a private network address/ },
  ];
}
