import { divideByHundred, formatDecimal, isDecimal, multiply, parseDecimal, round } from './decimal';
import { DocumentError } from './document-error';
import { removeUblBeReference, rootSequence, taxCategories, type RenderOptions } from './rewrite-common';
import { BELGIAN_EXEMPTIONS, belgianTaxCodeFor, isBelgianTaxCode, isMarginScheme } from './tax-codes';
import { child, children, find, textAt, textOf, type UblDom, type XmlElement } from './ubl-dom';
import { createElement, insertInOrder, setText } from './ubl-order';

/**
 * Belgian legal mentions (BELM) allowed as cac:Delivery/cac:DeliveryTerms in UBL.BE, with a wording
 * the GLOBALUBL.BE Schematron accepts (its list has a stray tab before the English text of
 * BELM-003, so only the Dutch one matches there).
 */
const LEGAL_MENTIONS: Record<string, string[]> = {
  'BELM-001': ['Special ruling - travelagencies', 'Bijzondere regeling - reisbureaus'],
  'BELM-002': ['Special ruling - used goods', 'Bijzondere regeling - gebruikte goederen'],
  'BELM-003': ['Bijzondere regeling - kunstvoorwerpen'],
  'BELM-004': ['Special ruling - antiques', 'Bijzondere regeling - antiquiteiten'],
  'BELM-005': [
    'Small company under exempt from taxes ruling',
    'Kleine onderneming onderworpen aan de vrijstellingsregeling van belasting',
  ],
  'BELM-006': ['Invoice issued by the receiver', 'Factuur uitgereikt door de afnemer'],
  'BELM-007': ['Copy issued at request from the customer', 'Dubbel uitgereikt op vraag van de klant'],
  'BELM-008': [
    'VAT to be refunded to the state to the extent that it was deducted',
    'BTW terug te storten aan de staat in de mate waarin ze oorspronkelijk in aftrek werd gebracht',
  ],
};

/**
 * Turns a document into UBL.BE Invoice 3.0 (GLOBALUBL.BE rules): the UBL.BE reference naming our
 * software, a description on every reference, Belgian tax codes, a VAT amount on every line, and
 * only Belgian legal mentions as delivery terms.
 */
export function toUblBe(ubl: UblDom, currency: string, options: RenderOptions): void {
  removeUblBeReference(ubl);
  const marker = createElement(ubl.document, 'cac:AdditionalDocumentReference');
  marker.appendChild(createElement(ubl.document, 'cbc:ID', 'UBL.BE'));
  marker.appendChild(
    createElement(
      ubl.document,
      'cbc:DocumentDescription',
      `${options.softwareName} ${options.softwareVersion}`,
    ),
  );
  insertInOrder(ubl.root, marker, rootSequence(ubl), 'first');
  describeEveryReference(ubl);
  // A margin-scheme exemption is stated once, in the VAT breakdown; every E category follows it.
  const categories = taxCategories(ubl);
  const margin = categories.some(
    (category) =>
      textAt(category, 'cbc:ID')?.trim().toUpperCase() === 'E' &&
      isMarginScheme(textAt(category, 'cbc:TaxExemptionReasonCode')),
  );
  for (const category of categories) belgianTaxCategory(ubl, category, margin);
  addLineTaxTotals(ubl, currency);
  keepOnlyLegalMentions(ubl);
}

/**
 * ubl-BE-04: every additional document reference needs a DocumentDescription. The invoiced object
 * identifier (BT-18, DocumentTypeCode 130) cannot have one (UBL-CR-673 forbids a description beside
 * it), so in UBL.BE it becomes a note that keeps the identifier and its scheme, and the reference goes.
 */
function describeEveryReference(ubl: UblDom): void {
  for (const reference of children(ubl.root, 'cac:AdditionalDocumentReference')) {
    if (textAt(reference, 'cbc:DocumentTypeCode') === '130') {
      invoicedObjectAsNote(ubl, reference);
      continue;
    }
    if (textAt(reference, 'cbc:DocumentDescription')) continue;
    const filename = find(reference, 'cac:Attachment', 'cbc:EmbeddedDocumentBinaryObject')?.getAttribute(
      'filename',
    );
    const text = filename?.trim() || 'Supporting document';
    const existing = child(reference, 'cbc:DocumentDescription');
    if (existing) setText(ubl.document, existing, text);
    else
      insertInOrder(
        reference,
        createElement(ubl.document, 'cbc:DocumentDescription', text),
        'DocumentReference',
      );
  }
}

function invoicedObjectAsNote(ubl: UblDom, reference: XmlElement): void {
  const id = child(reference, 'cbc:ID');
  const scheme = id?.getAttribute('schemeID');
  const text = `Invoiced object identifier (BT-18): ${textOf(id)}${scheme ? ` (scheme ${scheme})` : ''}`;
  insertInOrder(ubl.root, createElement(ubl.document, 'cbc:Note', text), rootSequence(ubl));
  ubl.root.removeChild(reference);
}

/**
 * ubl-BE-10/11/12/15: the Belgian code in cbc:Name, and exemption code and wording from the UBL.BE
 * lists. A category with a rate (S, Z) carries no exemption (EN 16931 BR-S-10, BR-Z-10).
 */
function belgianTaxCategory(ubl: UblDom, category: XmlElement, margin: boolean): void {
  const id = textAt(category, 'cbc:ID') ?? '';
  const percent = textAt(category, 'cbc:Percent');
  const existing = textAt(category, 'cbc:Name');
  const code = isBelgianTaxCode(existing)
    ? existing
    : belgianTaxCodeFor(id, percent, margin ? 'VATEX-EU-F' : undefined);
  if (!code) {
    throw new DocumentError(
      'unsupported-tax-category',
      `VAT category "${id}"${percent ? ` at ${percent} %` : ''} has no Belgian tax code, which UBL.BE requires ` +
        '(cac:TaxCategory/cbc:Name). Deliver this document as Peppol BIS 3 instead.',
      'cac:TaxCategory/cbc:Name',
    );
  }
  setChild(ubl, category, 'cbc:Name', code);
  const exemption = ['S', 'Z'].includes(id.toUpperCase()) ? undefined : BELGIAN_EXEMPTIONS[code];
  const reasonCode = child(category, 'cbc:TaxExemptionReasonCode');
  const reason = child(category, 'cbc:TaxExemptionReason');
  if (!exemption) {
    if (reasonCode) category.removeChild(reasonCode);
    if (reason) category.removeChild(reason);
    return;
  }
  // The VAT breakdown must state why no VAT is due (BR-E-10, BR-AE-10, ...); elsewhere only fix what is there.
  const inBreakdown = (category.parentNode as XmlElement | null)?.localName === 'TaxSubtotal';
  if (inBreakdown || reasonCode) setChild(ubl, category, 'cbc:TaxExemptionReasonCode', exemption.code);
  if (inBreakdown || reason) setChild(ubl, category, 'cbc:TaxExemptionReason', exemption.reason);
}

function setChild(
  ubl: UblDom,
  category: XmlElement,
  name: 'cbc:Name' | 'cbc:TaxExemptionReasonCode' | 'cbc:TaxExemptionReason',
  value: string,
): void {
  const existing = child(category, name);
  if (existing) setText(ubl.document, existing, value);
  else insertInOrder(category, createElement(ubl.document, name, value), 'TaxCategory');
}

/**
 * ubl-BE-13/14: exactly one cac:TaxTotal per line. Where the source has none, the VAT is the line
 * net amount times the line's rate, rounded half away from zero to the cent.
 */
function addLineTaxTotals(ubl: UblDom, currency: string): void {
  const invoice = ubl.kind === 'invoice';
  for (const line of children(ubl.root, invoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine')) {
    const totals = children(line, 'cac:TaxTotal');
    for (const extra of totals.slice(1)) line.removeChild(extra);
    if (totals.length > 0) continue;
    const net = textAt(line, 'cbc:LineExtensionAmount');
    const percent = textAt(line, 'cac:Item', 'cac:ClassifiedTaxCategory', 'cbc:Percent') ?? '0';
    if (net === undefined || !isDecimal(net) || !isDecimal(percent)) {
      const field =
        `${invoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine'} ${textAt(line, 'cbc:ID') ?? ''}`.trim();
      throw new DocumentError(
        'invalid-field',
        `${field} needs a decimal cbc:LineExtensionAmount and VAT percentage to compute its VAT.`,
        'cbc:LineExtensionAmount',
      );
    }
    const tax = round(divideByHundred(multiply(parseDecimal(net), parseDecimal(percent))), 2);
    const amount = createElement(ubl.document, 'cbc:TaxAmount', formatDecimal(tax));
    amount.setAttribute('currencyID', currency);
    const total = createElement(ubl.document, 'cac:TaxTotal');
    total.appendChild(amount);
    insertInOrder(line, total, invoice ? 'InvoiceLine' : 'CreditNoteLine');
  }
}

/** ubl-BE-05/06: delivery terms may only hold Belgian legal mentions, worded as the list says. */
function keepOnlyLegalMentions(ubl: UblDom): void {
  for (const delivery of children(ubl.root, 'cac:Delivery')) {
    for (const terms of children(delivery, 'cac:DeliveryTerms')) {
      const id = textOf(child(terms, 'cbc:ID'))?.toUpperCase() ?? '';
      const wordings = LEGAL_MENTIONS[id];
      if (!wordings) {
        delivery.removeChild(terms);
        continue;
      }
      setText(ubl.document, child(terms, 'cbc:ID')!, id);
      const special = child(terms, 'cbc:SpecialTerms');
      if (special && !wordings.includes(special.textContent ?? ''))
        setText(ubl.document, special, wordings[0]!);
      if (!special)
        insertInOrder(terms, createElement(ubl.document, 'cbc:SpecialTerms', wordings[0]!), 'DeliveryTerms');
    }
  }
}
