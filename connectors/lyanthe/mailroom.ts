import { ConnectorError } from '../errors';
import { documentTitle } from '../shared/mailbox-delivery';
import type { DeliveryInput, DocumentType, Settings } from '../types';

/** The suffix after `-99` that picks Lyanthe's flow [doc]; `d` (expense claims) is not used by Relais. */
const FLOW_SUFFIX: Record<DocumentType, string> = { 'purchase-invoice': 'p', 'sales-invoice': 's' };

/**
 * The mailroom address of the administration chosen at setup for one document type:
 * `<10 digits>-99<p|s>@<organisation domain>`.
 */
export function mailroomAddress(settings: Settings, documentType: DocumentType): string {
  const chosen = Array.isArray(settings.administrationIds) ? String(settings.administrationIds[0] ?? '') : '';
  const mailrooms = (settings.administrationMailrooms ?? {}) as Record<string, unknown>;
  const number = mailrooms[chosen];
  const domain = settings.mailDomain;
  if (typeof number !== 'string' || !/^\d{10}$/.test(number) || typeof domain !== 'string' || !domain) {
    throw new ConnectorError(
      'misconfigured',
      'The mailroom address of the chosen Lyanthe administration is not known. Sign in to Lyanthe again and choose the administration.',
    );
  }
  return `${number}-99${FLOW_SUFFIX[documentType]}@${domain}`;
}

/** `#RB` at the start of the subject files the document as a credit note [doc]. */
export function mailroomSubject(document: DeliveryInput['document']): string {
  const title = documentTitle(document);
  return document.kind === 'credit-note' ? `#RB ${title}` : title;
}
