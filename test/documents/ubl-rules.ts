import { create } from 'xmlbuilder2';

/*
 * The Peppol BIS 3 / EN 16931 / UBL.BE business rules that can be stated in a few lines of code,
 * checked on rendered documents. Written independently of documents/ (its own DOM walk on
 * xmlbuilder2) so a bug there cannot hide itself here. The official Schematron is not available
 * offline; see documents/README.md.
 */

const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';

interface Node {
  nodeType: number;
  firstChild: Node | null;
  nextSibling: Node | null;
  textContent: string | null;
}
interface Element extends Node {
  namespaceURI: string | null;
  localName: string;
  parentNode: Element | null;
  getAttribute(name: string): string | null;
}

function elements(parent: Node): Element[] {
  const result: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling)
    if (node.nodeType === 1) result.push(node as Element);
  return result;
}

function all(parent: Node): Element[] {
  return elements(parent).flatMap((element) => [element, ...all(element)]);
}

function named(list: Element[], namespace: string, localName: string): Element[] {
  return list.filter((element) => element.namespaceURI === namespace && element.localName === localName);
}

const cbc = (parent: Node, name: string): Element[] => named(elements(parent), CBC, name);
const cac = (parent: Node, name: string): Element[] => named(elements(parent), CAC, name);
const text = (element: Element | undefined): string => element?.textContent?.trim() ?? '';

export const PEPPOL_CUSTOMIZATION =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
export const UBL_BE_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#conformant#urn:UBL.BE:1.0.0.20180214';
export const BILLING_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

/** Amounts the BR-DEC rules limit to two decimals (prices, BT-146, may have more). */
const TWO_DECIMAL_AMOUNTS = new Set([
  'Amount',
  'BaseAmount',
  'TaxAmount',
  'TaxableAmount',
  'LineExtensionAmount',
  'TaxExclusiveAmount',
  'TaxInclusiveAmount',
  'AllowanceTotalAmount',
  'ChargeTotalAmount',
  'PrepaidAmount',
  'PayableRoundingAmount',
  'PayableAmount',
]);

const BELGIAN_TAX_CODES = new Set(
  '00;01;02;03;45;NA;FD;SC;00/44;03/SE;MA;46/GO;47/TO;47/AS;47/DI;47/SE;44;46/TR;47/EX;47/EI;47/EE;NS;OSS-S;OSS-G;OSS-I'.split(
    ';',
  ),
);
const BELGIAN_EXEMPTION_CODES = new Set(
  'BETE-45;BETE-EX;BETE-FD;BETE-SC;BETE-00/44;BETE-03/SE;BETE-MA;BETE-46/GO;BETE-47/TO;BETE-47/AS;BETE-47/DI;BETE-47/SE;BETE-44;BETE-46/TR;BETE-47/EX;BETE-47/EI;BETE-47/EE;BETE-NS'.split(
    ';',
  ),
);

const BELGIAN_EXEMPTION_TEXTS = new Set([
  'Reverse charge - Contractor',
  'Exempt',
  'Financial discount',
  'Small company',
  '0% Clause 44',
  'Standard exchange',
  'Margin',
  'Intra-community supply - Goods',
  'Intra-community supply - Manufacturing cost',
  'Intra-community supply - Assembly',
  'Intra-community supply - Distance',
  'Intra-community supply - Services',
  'Intra-community supply - Services B2B',
  'Intra-community supply - Triangle a-B-c',
  'Export non E.U.',
  'Indirect export',
  'Export via E.U.',
  'Not subject to VAT',
]);

/** Cents, as BigInt, for exact sums; amounts with more decimals are rejected by the decimal rule first. */
function cents(value: string): bigint {
  const match = /^([+-]?)(\d*)(?:\.(\d{0,2}))?$/.exec(value.trim());
  if (!match) return 0n;
  const units = BigInt(`${match[2] || '0'}${(match[3] ?? '').padEnd(2, '0')}`);
  return match[1] === '-' ? -units : units;
}

/** Violations of the common rules (both formats); empty when the document passes. */
export function commonViolations(xml: Buffer | string): string[] {
  const document = create(xml.toString()).node as unknown as Node & { documentElement: Element };
  const root = document.documentElement;
  const violations: string[] = [];
  const everything = all(root);
  const currency = text(cbc(root, 'DocumentCurrencyCode')[0]);
  const taxCurrency = text(cbc(root, 'TaxCurrencyCode')[0]);

  for (const element of everything) {
    if (elements(element).length === 0 && text(element) === '')
      violations.push(`R008 empty element ${element.localName}`);
    if (element.namespaceURI === CBC && TWO_DECIMAL_AMOUNTS.has(element.localName)) {
      if ((text(element).split('.')[1] ?? '').length > 2)
        violations.push(`BR-DEC ${element.localName} ${text(element)}`);
    }
    const currencyId = element.getAttribute('currencyID');
    if (currencyId !== null && currencyId !== currency) {
      // BR-53: the VAT total in the VAT accounting currency is the one allowed exception.
      const vatAccounting = element.localName === 'TaxAmount' && element.parentNode?.localName === 'TaxTotal';
      if (!(vatAccounting && currencyId === taxCurrency)) {
        violations.push(`currencyID ${currencyId} on ${element.localName} differs from ${currency}`);
      }
    }
  }
  for (const name of ['CustomizationID', 'ProfileID', 'ID', 'IssueDate', 'DocumentCurrencyCode']) {
    if (!text(cbc(root, name)[0])) violations.push(`missing ${name}`);
  }
  if (!text(cbc(root, root.localName === 'Invoice' ? 'InvoiceTypeCode' : 'CreditNoteTypeCode')[0])) {
    violations.push('missing type code');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text(cbc(root, 'IssueDate')[0])))
    violations.push('IssueDate not YYYY-MM-DD');
  if (text(cbc(root, 'ProfileID')[0]) !== BILLING_PROFILE)
    violations.push('ProfileID is not the Peppol billing profile');

  // BR-CO-10/13/15/16: totals add up (amounts are left exactly as the source had them).
  const totals = cac(root, 'LegalMonetaryTotal')[0]!;
  const amount = (name: string): bigint => cents(text(cbc(totals, name)[0]) || '0');
  const lines = cac(root, root.localName === 'Invoice' ? 'InvoiceLine' : 'CreditNoteLine');
  const lineSum = lines.reduce((sum, line) => sum + cents(text(cbc(line, 'LineExtensionAmount')[0])), 0n);
  const vat = cac(root, 'TaxTotal')
    .map((total) => cbc(total, 'TaxAmount')[0]!)
    .find((tax) => tax.getAttribute('currencyID') === currency);
  if (amount('LineExtensionAmount') !== lineSum) violations.push('BR-CO-10 line sum');
  if (
    amount('TaxExclusiveAmount') !==
    amount('LineExtensionAmount') - amount('AllowanceTotalAmount') + amount('ChargeTotalAmount')
  ) {
    violations.push('BR-CO-13 total without VAT');
  }
  if (amount('TaxInclusiveAmount') !== amount('TaxExclusiveAmount') + cents(text(vat)))
    violations.push('BR-CO-15 total with VAT');
  if (
    amount('PayableAmount') !==
    amount('TaxInclusiveAmount') - amount('PrepaidAmount') + amount('PayableRoundingAmount')
  ) {
    violations.push('BR-CO-16 amount due');
  }
  return violations;
}

/** Peppol BIS 3 specifics on top of the common rules. */
export function peppolViolations(xml: Buffer | string): string[] {
  const root = (create(xml.toString()).node as unknown as { documentElement: Element }).documentElement;
  const violations = commonViolations(xml);
  if (text(cbc(root, 'CustomizationID')[0]) !== PEPPOL_CUSTOMIZATION)
    violations.push('not the Peppol CustomizationID');
  if (cbc(root, 'Note').length > 1) violations.push('R002 more than one note');
  for (const reference of cac(root, 'AdditionalDocumentReference')) {
    if (text(cbc(reference, 'ID')[0]).toUpperCase() === 'UBL.BE') violations.push('UBL.BE reference left in');
  }
  for (const line of [...cac(root, 'InvoiceLine'), ...cac(root, 'CreditNoteLine')]) {
    if (cac(line, 'TaxTotal').length > 0) violations.push('UBL-CR-561 line TaxTotal left in');
  }
  for (const category of [
    ...named(all(root), CAC, 'TaxCategory'),
    ...named(all(root), CAC, 'ClassifiedTaxCategory'),
  ]) {
    if (cbc(category, 'Name').length > 0)
      violations.push(`Belgian tax code ${text(cbc(category, 'Name')[0])} left in`);
    const code = text(cbc(category, 'TaxExemptionReasonCode')[0]);
    if (code && !code.startsWith('VATEX-')) violations.push(`BR-CL-22 exemption code ${code}`);
  }
  return violations;
}

/** UBL.BE (GLOBALUBL.BE 1.31) rules ubl-BE-01 to ubl-BE-15 on top of the common rules. */
export function ublBeViolations(xml: Buffer | string, software: string): string[] {
  const root = (create(xml.toString()).node as unknown as { documentElement: Element }).documentElement;
  const violations = commonViolations(xml);
  const everything = all(root);
  if (text(cbc(root, 'CustomizationID')[0]) !== UBL_BE_CUSTOMIZATION)
    violations.push('not the UBL.BE CustomizationID');
  const references = cac(root, 'AdditionalDocumentReference');
  if (references.length < 2) violations.push('ubl-BE-01 fewer than two references');
  const designations = named(everything, CBC, 'DocumentDescription').filter((d) =>
    ['CommercialInvoice', 'CreditNote'].includes(d.textContent ?? ''),
  );
  if (designations.length !== 1) violations.push(`ubl-BE-02 ${designations.length} PDF designations`);
  const pdf = designations[0]?.parentNode;
  const object = pdf && cac(pdf, 'Attachment').flatMap((a) => cbc(a, 'EmbeddedDocumentBinaryObject'))[0];
  if (object?.getAttribute('mimeCode') !== 'application/pdf')
    violations.push('designated reference holds no PDF');
  const marker = named(everything, CBC, 'ID').filter((id) => id.textContent === 'UBL.BE');
  if (marker.length !== 1) violations.push(`ubl-BE-03 ${marker.length} UBL.BE ids`);
  else if (text(cbc(marker[0]!.parentNode!, 'DocumentDescription')[0]) !== software) {
    violations.push('UBL.BE reference does not name our software');
  }
  for (const reference of references) {
    if (cbc(reference, 'DocumentDescription').length !== 1)
      violations.push('ubl-BE-04 reference without description');
    if (text(cbc(reference, 'DocumentTypeCode')[0]) === '130' && cbc(reference, 'DocumentDescription').length)
      violations.push('UBL-CR-673 invoiced object identifier with a description');
  }
  for (const delivery of cac(root, 'Delivery')) {
    for (const terms of cac(delivery, 'DeliveryTerms')) {
      if (!/^BELM-00[1-8]$/.test(text(cbc(terms, 'ID')[0])))
        violations.push('ubl-BE-05 delivery terms not BELM');
    }
  }
  for (const subtotal of cac(root, 'TaxTotal').flatMap((total) => cac(total, 'TaxSubtotal'))) {
    const category = cac(subtotal, 'TaxCategory')[0]!;
    if (!BELGIAN_TAX_CODES.has(text(cbc(category, 'Name')[0])))
      violations.push('ubl-BE-10 tax category name');
    const code = cbc(category, 'TaxExemptionReasonCode')[0];
    if (code && !BELGIAN_EXEMPTION_CODES.has(text(code)))
      violations.push(`ubl-BE-11 exemption code ${text(code)}`);
    const reason = cbc(category, 'TaxExemptionReason')[0];
    if (reason && !BELGIAN_EXEMPTION_TEXTS.has(text(reason)))
      violations.push(`ubl-BE-12 exemption reason ${text(reason)}`);
  }
  for (const line of [...cac(root, 'InvoiceLine'), ...cac(root, 'CreditNoteLine')]) {
    const totals = cac(line, 'TaxTotal');
    if (totals.length !== 1) violations.push('ubl-BE-14 line without exactly one TaxTotal');
    else if (!/^-?\d+(\.\d+)?$/.test(text(cbc(totals[0]!, 'TaxAmount')[0])))
      violations.push('ubl-BE-13 line TaxAmount');
  }
  for (const category of named(everything, CAC, 'ClassifiedTaxCategory')) {
    if (cbc(category, 'Name').length !== 1) violations.push('ubl-BE-15 classified tax category without name');
  }
  return violations;
}
