import { readExample } from '../documents/fixtures';
import type { JsonBody } from './http';
import type { TestRelais, TestTenant } from './relais';
import { waitFor } from './wait-for';

/** The UBL.BE 1.31 test invoice (with its PDF) under the number on line 7 of the file. */
const UBL_BE_INVOICE = 'ubl-be/ublbe131-15000001.xml';
const UBL_BE_INVOICE_NUMBER = 'V01/15000001';

/**
 * The UBL.BE test invoice with another invoice number: a different document for Relais (its own
 * identity is supplier + kind + number), so each test can send its own.
 */
export function ublBeInvoice(number = UBL_BE_INVOICE_NUMBER): Buffer {
  const xml = readExample(UBL_BE_INVOICE).toString('utf8');
  const original = `<cbc:ID>${UBL_BE_INVOICE_NUMBER}</cbc:ID>`;
  if (!xml.includes(original)) throw new Error(`${UBL_BE_INVOICE} no longer has ${original}`);
  // Only the first occurrence: the document's own number (the PDF's reference repeats it further down).
  return Buffer.from(xml.replace(original, `<cbc:ID>${number}</cbc:ID>`), 'utf8');
}

export interface SubmitOptions {
  documentType?: 'purchase-invoice' | 'sales-invoice' | null;
  idempotencyKey?: string;
  tenant?: TestTenant;
  contentType?: string;
}

/** POST /v1/documents with the raw XML, as the platform sends it. */
export async function submitDocument(
  relais: TestRelais,
  xml: Buffer | string,
  options: SubmitOptions = {},
): Promise<{ status: number; body: JsonBody }> {
  const documentType = options.documentType === undefined ? 'purchase-invoice' : options.documentType;
  const query = documentType === null ? '' : `?documentType=${documentType}`;
  const response = await fetch(`${relais.url}/v1/documents${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${(options.tenant ?? relais.tenant).apiKey}`,
      'content-type': options.contentType ?? 'application/xml',
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body: xml,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Submits and insists on 202; returns the answer's body. */
export async function acceptDocument(
  relais: TestRelais,
  xml: Buffer | string,
  options: SubmitOptions = {},
): Promise<JsonBody> {
  const answer = await submitDocument(relais, xml, options);
  if (answer.status !== 202)
    throw new Error(`POST /v1/documents answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function readDelivery(relais: TestRelais, id: string, tenant?: TestTenant): Promise<JsonBody> {
  const answer = await relais.api('GET', `/v1/deliveries/${id}`, undefined, tenant ? { tenant } : {});
  if (answer.status !== 200) throw new Error(`GET /v1/deliveries/${id} answered ${answer.status}`);
  return answer.body.delivery;
}

/** Polls the delivery until `accept` holds; returns it. */
export function waitForDelivery(
  relais: TestRelais,
  id: string,
  accept: (delivery: JsonBody) => boolean,
  options: { what?: string; timeoutMs?: number; tenant?: TestTenant } = {},
): Promise<JsonBody> {
  let last: JsonBody;
  return waitFor(
    `delivery ${id} to be ${options.what ?? 'in the expected state'}`,
    async () => {
      last = await readDelivery(relais, id, options.tenant);
      return accept(last) ? last : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, describe: () => last },
  );
}

/** Polls until the delivery reaches `status`; fails at once when it ends (delivered, failed) otherwise. */
export async function waitForStatus(
  relais: TestRelais,
  id: string,
  status: string,
  options: { timeoutMs?: number; tenant?: TestTenant } = {},
): Promise<JsonBody> {
  const endStates = ['delivered', 'failed'];
  const delivery = await waitForDelivery(
    relais,
    id,
    (d) => d.status === status || endStates.includes(d.status),
    { ...options, what: status },
  );
  if (delivery.status !== status) {
    throw new Error(
      `delivery ${id} ended ${delivery.status} instead of ${status}: ${JSON.stringify(delivery)}`,
    );
  }
  return delivery;
}
