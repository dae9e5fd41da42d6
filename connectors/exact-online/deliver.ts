import { normalizeBelgianEnterpriseNumber } from '../../documents/belgian-ids';
import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt, DocumentType } from '../types';
import {
  exactList,
  exactRequest,
  fetchMe,
  listDivisions,
  type ExactDivision,
  type ExactSession,
  type RateLimits,
} from './client';
import { accessTokenOf, readSettings, siteUrl, type ExactConfig, type ExactSettings } from './config';
import { MAX_DOCUMENT_BYTES } from './descriptor';

/** Exact's document type ids for the documents we file (Exact's "create an entry with attachment" guide). */
const exactDocumentType: Record<DocumentType, number> = { 'purchase-invoice': 20, 'sales-invoice': 10 };

/**
 * Files a rendered invoice in Exact Online as a document with the file attached. Exact takes no
 * idempotency key, so the document's Subject carries our delivery id: a retried attempt finds the
 * document it created before and adds the attachment only if it is missing.
 */
export async function deliverToExact(config: ExactConfig, input: DeliveryInput): Promise<DeliveryReceipt> {
  if (input.content.length > MAX_DOCUMENT_BYTES) {
    throw new ConnectorError(
      'rejected',
      `The document is too large for Exact Online (${input.content.length} bytes; at most ${MAX_DOCUMENT_BYTES}).`,
    );
  }
  const settings = readSettings(input.settings);
  const session: ExactSession = {
    baseUrl: siteUrl(config, settings),
    accessToken: accessTokenOf(input.credentials),
  };
  const division = await chooseDivision(session, settings, input);
  const subject = `Relais ${input.deliveryId} ${input.document.number}`;

  const existing = await exactList<{ ID: string }>(session, {
    path: `${division}/documents/Documents`,
    query: { $filter: `Subject eq ${odataString(subject)}`, $select: 'ID' },
    action: 'look for the invoice filed earlier',
  });
  let documentId = existing.results[0]?.ID;
  if (documentId) {
    const attachments = await exactList<{ ID: string; FileName: string }>(session, {
      path: `${division}/documents/DocumentAttachments`,
      query: { $filter: `Document eq guid'${documentId}'`, $select: 'ID,FileName' },
      action: 'look for the file attached earlier',
    });
    const attached = attachments.results.find((attachment) => attachment.FileName === input.fileName);
    if (attached) return receipt(documentId, division, attached.ID, true, attachments.rateLimits);
  } else {
    const created = await exactRequest<{ ID: string }>(session, {
      method: 'POST',
      path: `${division}/documents/Documents`,
      body: {
        Type: exactDocumentType[input.documentType],
        Subject: subject,
        DocumentDate: `${input.document.issueDate}T00:00:00`,
      },
      action: `file invoice ${input.document.number}`,
    });
    documentId = created.data.ID;
    if (!documentId) {
      throw new ConnectorError(
        'unavailable',
        'Exact Online filed the invoice but did not say under which ID.',
      );
    }
  }
  const attachment = await exactRequest<{ ID: string }>(session, {
    method: 'POST',
    path: `${division}/documents/DocumentAttachments`,
    body: { Document: documentId, FileName: input.fileName, Attachment: input.content.toString('base64') },
    action: `attach ${input.fileName} to invoice ${input.document.number}`,
  });
  return receipt(documentId, division, attachment.data.ID, false, attachment.rateLimits);
}

function receipt(
  documentId: string,
  division: number,
  attachmentId: string,
  alreadyPresent: boolean,
  rateLimits: RateLimits,
): DeliveryReceipt {
  // The rate limits of the last call let the activity layer slow down before Exact answers 429.
  return { remoteId: documentId, alreadyPresent, details: { division, attachmentId, rateLimits } };
}

/**
 * Which administration receives the document, among those chosen at setup ('all' = every division
 * the user shared, current and future):
 * 1. the one whose company code (Hid) is the configured company code (accountants' templates);
 * 2. the only one chosen;
 * 3. the one whose VAT number is the tenant's in the document: the customer's on a purchase invoice,
 *    the supplier's on a sales invoice;
 * 4. the user's current division, if it is among those chosen.
 */
async function chooseDivision(
  session: ExactSession,
  settings: ExactSettings,
  input: DeliveryInput,
): Promise<number> {
  const chosen = settings.administrationIds ?? 'all';
  if (chosen !== 'all' && chosen.length === 1 && !settings.companyCode) return Number(chosen[0]);
  const current = settings.currentDivision ?? (await fetchMe(session)).CurrentDivision;
  const divisions = (await listDivisions(session, chosen === 'all' ? current : Number(chosen[0]))).filter(
    (division) => chosen === 'all' || chosen.includes(String(division.Code)),
  );
  if (settings.companyCode) {
    const byCode = divisions.find((division) => String(division.Hid ?? '') === settings.companyCode);
    if (byCode) return byCode.Code;
    throw new ConnectorError(
      'misconfigured',
      `No Exact Online administration with company code ${settings.companyCode} is shared with Relais. ` +
        'Check the company code, or share that administration when signing in to Exact Online.',
    );
  }
  const tenantVat =
    input.documentType === 'purchase-invoice' ? input.document.customerVat : input.document.supplierVat;
  const byVat = tenantVat ? divisions.find((division) => sameVatNumber(division, tenantVat)) : undefined;
  if (byVat) return byVat.Code;
  if (chosen === 'all' || chosen.includes(String(current))) return current;
  throw new ConnectorError(
    'misconfigured',
    `None of the Exact Online administrations chosen for this connection has VAT number ${tenantVat ?? '(none in the document)'}. ` +
      'Choose the right administration, or enter its company code.',
  );
}

function sameVatNumber(division: ExactDivision, vat: string): boolean {
  return !!division.VATNumber && comparableVat(division.VATNumber) === comparableVat(vat);
}

/** "BE 0827.405.743" and "0827405743" are the same number; so are "NL…B01" with and without spaces. */
function comparableVat(raw: string): string {
  const belgian = normalizeBelgianEnterpriseNumber(raw);
  if (belgian && /^(BE)?[\d\s.]+$/i.test(raw.trim())) return `BE${belgian}`;
  return raw.replace(/[^0-9a-z]/gi, '').toUpperCase();
}

/** An OData string literal: single quotes, a quote inside doubled. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
