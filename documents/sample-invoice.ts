import { pdfForDocument } from './render-document';
import { CUSTOMIZATION_ID, PEPPOL_BILLING_PROFILE } from './ubl-flavour';

/*
 * Small, valid UBL documents built to order: the project's own invoices for the quick tour, the
 * benchmark and the tests (`npm run sample-invoice`), and shapes a test needs (a tax category, an
 * exemption, a delivery term) rather than a whole published example. Totals are computed so the
 * EN 16931 sums hold; the parties carry valid Belgian enterprise numbers (scheme 0208).
 */

export interface LineSpec {
  net: string;
  category: string;
  percent?: string;
  /** A Belgian code already in the document (cbc:Name). */
  taxName?: string;
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface DocumentSpec {
  kind?: 'invoice' | 'credit-note';
  customizationId?: string;
  /** Emitted when set (Peppol BIS 3 requires it). */
  profileId?: string;
  number?: string;
  /** YYYY-MM-DD; the due date is 28 days later. */
  issueDate?: string;
  supplierName?: string;
  lines: LineSpec[];
  /** Raw XML placed after cbc:DocumentCurrencyCode (root references, in XSD order). */
  afterCurrency?: string;
  /** Raw XML placed after the customer party (cac:Delivery, cac:PaymentMeans). */
  afterParties?: string;
  notes?: string[];
}

function cents(value: string): bigint {
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const units = BigInt(`${whole}${fraction.padEnd(2, '0').slice(0, 2)}`);
  return value.startsWith('-') ? -units : units;
}

function money(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function percentOf(amount: bigint, percent: string): bigint {
  const [whole, fraction = ''] = percent.split('.');
  const scaled = BigInt(`${whole}${fraction.padEnd(2, '0')}`); // percent x 100
  const product = amount * scaled; // cents x percent x 100
  const quotient = product / 10000n;
  const rest = product % 10000n;
  return rest * 2n >= 10000n ? quotient + 1n : quotient;
}

function category(
  tag: 'TaxCategory' | 'ClassifiedTaxCategory',
  line: LineSpec,
  withExemption: boolean,
): string {
  return [
    `<cac:${tag}><cbc:ID>${line.category}</cbc:ID>`,
    line.taxName ? `<cbc:Name>${line.taxName}</cbc:Name>` : '',
    line.percent !== undefined ? `<cbc:Percent>${line.percent}</cbc:Percent>` : '',
    withExemption && line.exemptionCode
      ? `<cbc:TaxExemptionReasonCode>${line.exemptionCode}</cbc:TaxExemptionReasonCode>`
      : '',
    withExemption && line.exemptionReason
      ? `<cbc:TaxExemptionReason>${line.exemptionReason}</cbc:TaxExemptionReason>`
      : '',
    `<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:${tag}>`,
  ].join('');
}

function party(name: string, endpoint: string): string {
  return (
    `<cac:Party><cbc:EndpointID schemeID="0208">${endpoint}</cbc:EndpointID>` +
    `<cac:PostalAddress><cbc:CityName>Brussel</cbc:CityName><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>` +
    `<cac:PartyTaxScheme><cbc:CompanyID>BE${endpoint}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>` +
    `<cac:PartyLegalEntity><cbc:RegistrationName>${name}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>`
  );
}

export function syntheticDocument(spec: DocumentSpec): string {
  const invoice = (spec.kind ?? 'invoice') === 'invoice';
  const issueDate = spec.issueDate ?? '2026-01-31';
  const dueDate = new Date(Date.parse(`${issueDate}T00:00:00Z`) + 28 * 86_400_000).toISOString().slice(0, 10);
  const root = invoice ? 'Invoice' : 'CreditNote';
  const groups = new Map<string, { line: LineSpec; taxable: bigint }>();
  for (const line of spec.lines) {
    const key = `${line.category}/${line.percent ?? ''}`;
    const group = groups.get(key) ?? { line, taxable: 0n };
    group.taxable += cents(line.net);
    groups.set(key, group);
  }
  const subtotals = [...groups.values()].map(({ line, taxable }) => ({
    line,
    taxable,
    tax: line.percent ? percentOf(taxable, line.percent) : 0n,
  }));
  const net = subtotals.reduce((sum, s) => sum + s.taxable, 0n);
  const tax = subtotals.reduce((sum, s) => sum + s.tax, 0n);
  const lines = spec.lines
    .map(
      (line, index) =>
        `<cac:${root}Line><cbc:ID>${index + 1}</cbc:ID>` +
        `<cbc:${invoice ? 'Invoiced' : 'Credited'}Quantity unitCode="C62">1</cbc:${invoice ? 'Invoiced' : 'Credited'}Quantity>` +
        `<cbc:LineExtensionAmount currencyID="EUR">${line.net}</cbc:LineExtensionAmount>` +
        `<cac:Item><cbc:Name>Item ${index + 1}</cbc:Name>${category('ClassifiedTaxCategory', line, false)}</cac:Item>` +
        `<cac:Price><cbc:PriceAmount currencyID="EUR">${line.net}</cbc:PriceAmount></cac:Price></cac:${root}Line>`,
    )
    .join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<${root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${root}-2"`,
    ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"',
    ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
    `<cbc:CustomizationID>${spec.customizationId ?? 'urn:cen.eu:en16931:2017'}</cbc:CustomizationID>`,
    spec.profileId ? `<cbc:ProfileID>${spec.profileId}</cbc:ProfileID>` : '',
    `<cbc:ID>${spec.number ?? 'F2026/0001'}</cbc:ID><cbc:IssueDate>${issueDate}</cbc:IssueDate>`,
    invoice
      ? `<cbc:DueDate>${dueDate}</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>`
      : '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>',
    ...(spec.notes ?? []).map((note) => `<cbc:Note>${note}</cbc:Note>`),
    '<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>PO-1</cbc:BuyerReference>',
    spec.afterCurrency ?? '',
    `<cac:AccountingSupplierParty>${party(spec.supplierName ?? 'Leverancier NV', '0000000196')}</cac:AccountingSupplierParty>`,
    `<cac:AccountingCustomerParty>${party('Klant BV', '0000000295')}</cac:AccountingCustomerParty>`,
    spec.afterParties ?? '',
    `<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">${money(tax)}</cbc:TaxAmount>`,
    ...subtotals.map(
      (s) =>
        `<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">${money(s.taxable)}</cbc:TaxableAmount>` +
        `<cbc:TaxAmount currencyID="EUR">${money(s.tax)}</cbc:TaxAmount>${category('TaxCategory', s.line, true)}</cac:TaxSubtotal>`,
    ),
    '</cac:TaxTotal>',
    `<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">${money(net)}</cbc:LineExtensionAmount>`,
    `<cbc:TaxExclusiveAmount currencyID="EUR">${money(net)}</cbc:TaxExclusiveAmount>`,
    `<cbc:TaxInclusiveAmount currencyID="EUR">${money(net + tax)}</cbc:TaxInclusiveAmount>`,
    `<cbc:PayableAmount currencyID="EUR">${money(net + tax)}</cbc:PayableAmount></cac:LegalMonetaryTotal>`,
    lines,
    `</${root}>`,
  ].join('\n');
}

export interface SampleInvoiceOptions {
  number: string;
  issueDate?: string;
  kind?: 'invoice' | 'credit-note';
  /** How many invoice lines (21 % VAT each); more lines make a bigger document. */
  lines?: number;
  supplierName?: string;
  /** Embed a PDF rendering of the invoice, as Belgian platforms send it (UBL.BE). */
  pdf?: boolean;
}

/**
 * A valid Peppol BIS Billing 3.0 invoice (or credit note) from a Belgian supplier to a Belgian
 * customer, optionally with its PDF embedded as an additional document reference.
 */
export function sampleInvoice(options: SampleInvoiceOptions): string {
  const spec: DocumentSpec = {
    ...(options.kind ? { kind: options.kind } : {}),
    customizationId: CUSTOMIZATION_ID['peppol-bis-3'],
    profileId: PEPPOL_BILLING_PROFILE,
    number: options.number,
    ...(options.issueDate ? { issueDate: options.issueDate } : {}),
    ...(options.supplierName ? { supplierName: options.supplierName } : {}),
    lines: Array.from({ length: Math.max(1, options.lines ?? 3) }, (_, index) => ({
      net: `${100 + index * 25}.00`,
      category: 'S',
      percent: '21',
    })),
  };
  const xml = syntheticDocument(spec);
  if (!options.pdf) return xml;
  const pdf = pdfForDocument(xml, { softwareName: 'Relais sample', softwareVersion: '1' });
  const fileName = `${options.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
  return syntheticDocument({
    ...spec,
    afterCurrency:
      `<cac:AdditionalDocumentReference><cbc:ID>${fileName}</cbc:ID>` +
      `<cbc:DocumentDescription>${options.kind === 'credit-note' ? 'CreditNote' : 'CommercialInvoice'}</cbc:DocumentDescription>` +
      `<cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="${fileName}">` +
      `${pdf.toString('base64')}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`,
  });
}
