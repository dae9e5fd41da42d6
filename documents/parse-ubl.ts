import { isDecimal } from './decimal';
import { DocumentError } from './document-error';
import { decodeBase64, findPdfReference } from './find-pdf';
import { readParty, type ParsedParty } from './read-party';
import {
  children,
  find,
  findAll,
  loadUbl,
  textAt,
  textOf,
  type DocumentKind,
  type Step,
  type UblDom,
  type XmlElement,
} from './ubl-dom';
import { detectFlavour, type Flavour } from './ubl-flavour';

export type { ParsedParty } from './read-party';

/** Amounts exactly as written in the document (trimmed): decimal strings, never floats. */
export interface ParsedTotals {
  lineExtension?: string;
  taxExclusive?: string;
  taxInclusive?: string;
  payable: string;
  /** Total VAT in the document currency (the TaxTotal a second, tax-currency TaxTotal does not replace). */
  tax?: string;
}

export interface ParsedPdf {
  filename?: string;
  mimeCode: string;
  content: Buffer;
  description?: string;
}

export interface ParsedDocument {
  kind: DocumentKind;
  flavour: Flavour;
  customizationId?: string;
  profileId?: string;
  /** InvoiceTypeCode or CreditNoteTypeCode (380, 381, ...). */
  typeCode?: string;
  number: string;
  /** YYYY-MM-DD. */
  issueDate: string;
  /** YYYY-MM-DD: cbc:DueDate, else (credit notes, e-FFF) the first PaymentMeans/PaymentDueDate. */
  dueDate?: string;
  currency: string;
  supplier: ParsedParty;
  customer: ParsedParty;
  totals: ParsedTotals;
  /** Number of InvoiceLine / CreditNoteLine elements. */
  lines: number;
  pdf?: ParsedPdf;
}

/**
 * Reads what Relais needs to accept and route a UBL 2.1 Invoice or CreditNote. Throws a
 * DocumentError (never anything else) when the document is unsafe, malformed, of another type, or
 * lacks what a delivery needs: number, issue date, supplier and customer names, currency, amount due.
 */
export function parseUbl(xml: Buffer | string): ParsedDocument {
  // Only the lines' number is read here: their content stays out of the DOM.
  return asDocumentError(() => readDocument(loadUbl(xml, { withoutLineContent: true })));
}

/** Runs `work`, turning anything thrown that is not a DocumentError into one. */
export function asDocumentError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    // A bug or a parser corner case must still reach the caller as "this document is the problem".
    const reason = error instanceof Error ? error.message : String(error);
    throw new DocumentError('malformed-xml', `The document could not be read: ${reason}`);
  }
}

/** parseUbl on an already loaded document (the renderers parse once and reuse the DOM). */
export function readDocument({ root, kind }: UblDom): ParsedDocument {
  const customizationId = textAt(root, 'cbc:CustomizationID');
  const profileId = textAt(root, 'cbc:ProfileID');
  const typeCode = textAt(root, kind === 'invoice' ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode');
  const number = required(root, 'cbc:ID');
  const issueDate = date(required(root, 'cbc:IssueDate'), 'cbc:IssueDate');
  const dueDateText = textAt(root, 'cbc:DueDate') ?? paymentDueDate(root);
  const dueDate = dueDateText === undefined ? undefined : date(dueDateText, 'cbc:DueDate');
  const currency = required(root, 'cbc:DocumentCurrencyCode');
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw invalid('cbc:DocumentCurrencyCode', `must be an ISO 4217 code such as EUR, got "${currency}"`);
  }
  const supplier = readParty(root, 'supplier');
  const customer = readParty(root, 'customer');
  const pdf = readPdf(root);
  return {
    kind,
    flavour: detectFlavour(customizationId),
    ...(customizationId && { customizationId }),
    ...(profileId && { profileId }),
    ...(typeCode && { typeCode }),
    number,
    issueDate,
    ...(dueDate && { dueDate }),
    currency,
    supplier,
    customer,
    totals: readTotals(root, currency),
    lines: children(root, kind === 'invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine').length,
    ...(pdf && { pdf }),
  };
}

function required(parent: XmlElement, step: Step): string {
  const value = textAt(parent, step);
  if (value === undefined) {
    const present = find(parent, step) !== undefined;
    throw new DocumentError('missing-field', `${step} is ${present ? 'empty' : 'missing'}.`, step);
  }
  return value;
}

function invalid(field: string, what: string): DocumentError {
  return new DocumentError('invalid-field', `${field} ${what}.`, field);
}

/**
 * xs:date allows a time zone ("2017-11-13+01:00"); the calendar date is what matters for an
 * invoice, so we keep YYYY-MM-DD and check that the day exists.
 */
function date(value: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const parsed = new Date(Date.UTC(year, month - 1, day));
    if (
      parsed.getUTCFullYear() === year &&
      parsed.getUTCMonth() === month - 1 &&
      parsed.getUTCDate() === day
    ) {
      return `${match[1]}-${match[2]}-${match[3]}`;
    }
  }
  throw invalid(field, `must be a date written YYYY-MM-DD, got "${value}"`);
}

function paymentDueDate(root: XmlElement): string | undefined {
  return findAll(root, 'cac:PaymentMeans', 'cbc:PaymentDueDate').map(textOf).find(Boolean);
}

function amount(element: XmlElement | undefined, field: string): string | undefined {
  const value = textOf(element);
  if (value === undefined) return undefined;
  if (!isDecimal(value)) throw invalid(field, `must be a decimal amount, got "${value}"`);
  return value;
}

function readTotals(root: XmlElement, currency: string): ParsedTotals {
  const total = find(root, 'cac:LegalMonetaryTotal');
  const field = (name: Step): string | undefined =>
    amount(total && find(total, name), `cac:LegalMonetaryTotal/${name}`);
  const payable = field('cbc:PayableAmount');
  if (payable === undefined) {
    throw new DocumentError(
      'missing-field',
      'cac:LegalMonetaryTotal/cbc:PayableAmount (the amount due) is missing.',
      'cac:LegalMonetaryTotal/cbc:PayableAmount',
    );
  }
  // EN 16931 allows a second TaxTotal in the VAT accounting currency; the document currency's wins.
  const taxAmounts = findAll(root, 'cac:TaxTotal', 'cbc:TaxAmount');
  const taxAmount =
    taxAmounts.find((element) => element.getAttribute('currencyID')?.trim() === currency) ?? taxAmounts[0];
  const lineExtension = field('cbc:LineExtensionAmount');
  const taxExclusive = field('cbc:TaxExclusiveAmount');
  const taxInclusive = field('cbc:TaxInclusiveAmount');
  const tax = amount(taxAmount, 'cac:TaxTotal/cbc:TaxAmount');
  return {
    ...(lineExtension !== undefined && { lineExtension }),
    ...(taxExclusive !== undefined && { taxExclusive }),
    ...(taxInclusive !== undefined && { taxInclusive }),
    payable,
    ...(tax !== undefined && { tax }),
  };
}

function readPdf(root: XmlElement): ParsedPdf | undefined {
  const found = findPdfReference(root);
  if (!found) return undefined;
  const filename = found.object.getAttribute('filename')?.trim();
  const description =
    textAt(found.reference, 'cbc:DocumentDescription') ?? textAt(found.reference, 'cbc:DocumentType');
  return {
    ...(filename && { filename }),
    mimeCode: 'application/pdf',
    content: decodeBase64(found.object),
    ...(description && { description }),
  };
}
