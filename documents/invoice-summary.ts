import type { ParsedDocument, ParsedTotals } from './parse-ubl';
import { children, find, textAt, type UblDom, type XmlElement } from './ubl-dom';

/** What the generated PDF shows: the human-readable essentials of the structured invoice. */
export interface InvoiceSummary {
  kind: ParsedDocument['kind'];
  number: string;
  issueDate: string;
  dueDate?: string;
  currency: string;
  supplier: SummaryParty;
  customer: SummaryParty;
  lines: SummaryLine[];
  totals: ParsedTotals;
  /** Shown in the footer, e.g. "Relais 0.1.0". */
  generator: string;
}

export interface SummaryParty {
  name: string;
  vatNumber?: string;
  enterpriseNumber?: string;
  address: string[];
}

export interface SummaryLine {
  id: string;
  name: string;
  quantity?: string;
  unitCode?: string;
  price?: string;
  amount?: string;
}

export function summarize(ubl: UblDom, parsed: ParsedDocument, generator: string): InvoiceSummary {
  const lineStep = ubl.kind === 'invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  const quantityStep = ubl.kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity';
  const lines = children(ubl.root, lineStep).map((line): SummaryLine => {
    const quantity = find(line, quantityStep);
    return {
      id: textAt(line, 'cbc:ID') ?? '',
      name: textAt(line, 'cac:Item', 'cbc:Name') ?? textAt(line, 'cac:Item', 'cbc:Description') ?? '',
      ...optional('quantity', textAt(line, quantityStep)),
      ...optional('unitCode', quantity?.getAttribute('unitCode')?.trim()),
      ...optional('price', textAt(line, 'cac:Price', 'cbc:PriceAmount')),
      ...optional('amount', textAt(line, 'cbc:LineExtensionAmount')),
    };
  });
  return {
    kind: parsed.kind,
    number: parsed.number,
    issueDate: parsed.issueDate,
    ...optional('dueDate', parsed.dueDate),
    currency: parsed.currency,
    supplier: party(ubl.root, 'cac:AccountingSupplierParty', parsed.supplier),
    customer: party(ubl.root, 'cac:AccountingCustomerParty', parsed.customer),
    lines,
    totals: parsed.totals,
    generator,
  };
}

function party(
  root: XmlElement,
  step: 'cac:AccountingSupplierParty' | 'cac:AccountingCustomerParty',
  parsed: ParsedDocument['supplier'],
): SummaryParty {
  const address = find(root, step, 'cac:Party', 'cac:PostalAddress');
  const city = [textAt(address, 'cbc:PostalZone'), textAt(address, 'cbc:CityName')].filter(Boolean).join(' ');
  return {
    name: parsed.name,
    ...optional('vatNumber', parsed.vatNumber),
    ...optional('enterpriseNumber', parsed.enterpriseNumber),
    address: [
      textAt(address, 'cbc:StreetName'),
      textAt(address, 'cbc:AdditionalStreetName'),
      city,
      textAt(address, 'cac:Country', 'cbc:IdentificationCode'),
    ].filter((part): part is string => Boolean(part)),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}
