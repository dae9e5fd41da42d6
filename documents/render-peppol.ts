import { BELGIAN_EXEMPTIONS, vatexForBelgianExemption } from './tax-codes';
import { child, children, textOf, type UblDom, type XmlElement } from './ubl-dom';
import { createElement, insertInOrder, setText } from './ubl-order';
import { removeUblBeReference, setRootValue, taxCategories } from './rewrite-common';

/**
 * Turns a (Belgian or generic EN 16931) document into Peppol BIS Billing 3.0 shape: removes what
 * only UBL.BE and e-FFF use, and moves data to where BIS 3 expects it. What BIS 3 requires but the
 * source never had (an EndpointID, a BuyerReference) cannot be invented here.
 */
export function toPeppol(ubl: UblDom): void {
  removeUblBeReference(ubl);
  for (const reference of children(ubl.root, 'cac:AdditionalDocumentReference')) {
    // UBL.BE marks OCR-converted data this way; EN 16931 has no such field.
    const status = child(reference, 'cbc:DocumentStatusCode');
    if (status) reference.removeChild(status);
  }
  for (const category of taxCategories(ubl)) peppolTaxCategory(ubl, category);
  const lineStep = ubl.kind === 'invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  for (const line of children(ubl.root, lineStep)) {
    // Line VAT amounts are a UBL.BE requirement; BIS 3 computes VAT per category only.
    for (const total of children(line, 'cac:TaxTotal')) line.removeChild(total);
  }
  foldLegalMentionsIntoNote(ubl);
}

function peppolTaxCategory(ubl: UblDom, category: XmlElement): void {
  // The Belgian code in cbc:Name means nothing to a BIS 3 receiver.
  const name = child(category, 'cbc:Name');
  if (name) category.removeChild(name);
  const code = child(category, 'cbc:TaxExemptionReasonCode');
  const codeText = textOf(code);
  if (!code || !codeText || /^VATEX-/i.test(codeText)) return;
  // BIS 3 accepts only VATEX codes (BR-CL-22); a UBL.BE code becomes its VATEX twin or goes, keeping its wording.
  const vatex = vatexForBelgianExemption(codeText, textOf(child(category, 'cbc:ID')) ?? '');
  if (vatex) {
    setText(ubl.document, code, vatex);
    return;
  }
  category.removeChild(code);
  if (!textOf(child(category, 'cbc:TaxExemptionReason'))) {
    const wording = Object.values(BELGIAN_EXEMPTIONS).find((entry) => entry.code === codeText.toUpperCase());
    insertInOrder(
      category,
      createElement(ubl.document, 'cbc:TaxExemptionReason', wording?.reason ?? codeText),
      'TaxCategory',
    );
  }
}

/**
 * BIS 3 has no delivery terms; UBL.BE uses them for Belgian legal mentions (BELM: margin scheme,
 * VAT to refund, ...), which must stay on the invoice. Their text moves into the single document
 * note BIS 3 allows (PEPPOL-EN16931-R002) instead of being dropped; several notes are merged into
 * that one for the same rule.
 */
function foldLegalMentionsIntoNote(ubl: UblDom): void {
  const mentions: string[] = [];
  for (const delivery of children(ubl.root, 'cac:Delivery')) {
    for (const terms of children(delivery, 'cac:DeliveryTerms')) {
      const text = textOf(child(terms, 'cbc:SpecialTerms'));
      if (text) mentions.push(text);
      delivery.removeChild(terms);
    }
  }
  const notes = children(ubl.root, 'cbc:Note');
  if (mentions.length === 0 && notes.length <= 1) return;
  const texts = [...notes.map(textOf), ...mentions].filter((text): text is string => Boolean(text));
  for (const note of notes) ubl.root.removeChild(note);
  if (texts.length > 0) setRootValue(ubl, 'cbc:Note', texts.join('\n'));
}
