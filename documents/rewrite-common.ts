import { PEPPOL_SCHEME_FOR } from './belgian-ids';
import { safeSegment } from './file-names';
import { PDF_DESIGNATIONS, findPdfReference } from './find-pdf';
import { summarize } from './invoice-summary';
import type { ParsedDocument } from './parse-ubl';
import { renderInvoicePdf } from './render-pdf';
import {
  NS,
  child,
  childElements,
  children,
  descendants,
  find,
  findAll,
  textAt,
  textOf,
  type UblDom,
  type XmlElement,
} from './ubl-dom';
import { CUSTOMIZATION_ID, PEPPOL_BILLING_PROFILE, type OutputFormat } from './ubl-flavour';
import { createElement, insertInOrder, setText } from './ubl-order';

/* Rewriting steps shared by both output formats, applied to the parsed DOM in place. */

export interface RenderOptions {
  /** Our software, named in the UBL.BE reference and the generated PDF: "Relais". */
  softwareName: string;
  softwareVersion: string;
  /** The invoice's PDF, when the caller has one; otherwise the source's, otherwise a generated summary. */
  pdf?: Buffer;
}

export function rootSequence(ubl: UblDom): 'Invoice' | 'CreditNote' {
  return ubl.kind === 'invoice' ? 'Invoice' : 'CreditNote';
}

/** Sets or adds a root-level cbc element (CustomizationID, ProfileID, DueDate, Note, ...). */
export function setRootValue(
  ubl: UblDom,
  name: 'cbc:CustomizationID' | 'cbc:ProfileID' | 'cbc:DueDate' | 'cbc:Note',
  value: string,
): void {
  const existing = child(ubl.root, name);
  if (existing) setText(ubl.document, existing, value);
  else insertInOrder(ubl.root, createElement(ubl.document, name, value), rootSequence(ubl));
}

export function setSpecification(ubl: UblDom, format: OutputFormat): void {
  setRootValue(ubl, 'cbc:CustomizationID', CUSTOMIZATION_ID[format]);
  setRootValue(ubl, 'cbc:ProfileID', PEPPOL_BILLING_PROFILE);
}

/**
 * Peppol BIS 3 and UBL.BE forbid empty elements (PEPPOL-EN16931-R008); generators often leave
 * `<cac:Contact/>` or `<cbc:Note></cbc:Note>` behind. Removes them bottom-up, so a parent left
 * with nothing goes too.
 */
export function pruneEmptyElements(parent: XmlElement): void {
  for (const element of childElements(parent)) {
    pruneEmptyElements(element);
    if (childElements(element).length === 0 && !textOf(element)) parent.removeChild(element);
  }
}

/**
 * e-FFF v3 (Peppol BIS 2) names identifier schemes BE:CBE and BE:VAT; BIS 3 based formats use the
 * Peppol EAS codes (0208, 9925). A VAT identifier (PartyTaxScheme/CompanyID) takes no scheme at all.
 */
export function normalizeIdentifierSchemes(ubl: UblDom): void {
  for (const element of descendants(ubl.root)) {
    if (element.namespaceURI !== NS.cbc) continue;
    const scheme = element.getAttribute('schemeID')?.trim();
    if (scheme === null || scheme === undefined) continue;
    const parent = element.parentNode as XmlElement | null;
    if (element.localName === 'CompanyID' && parent?.localName === 'PartyTaxScheme') {
      element.removeAttribute('schemeID');
    } else if (PEPPOL_SCHEME_FOR[scheme.toUpperCase()]) {
      element.setAttribute('schemeID', PEPPOL_SCHEME_FOR[scheme.toUpperCase()]!);
    }
  }
}

/**
 * EN 16931 has no DocumentType on an additional document reference, only DocumentDescription;
 * e-FFF put "CommercialInvoice" in DocumentType. Moves it over so the PDF stays designated.
 */
export function describeReferences(ubl: UblDom): void {
  for (const reference of children(ubl.root, 'cac:AdditionalDocumentReference')) {
    const type = child(reference, 'cbc:DocumentType');
    if (!type) continue;
    const text = textOf(type);
    if (text && !child(reference, 'cbc:DocumentDescription')) {
      insertInOrder(
        reference,
        createElement(ubl.document, 'cbc:DocumentDescription', text),
        'DocumentReference',
      );
    }
    reference.removeChild(type);
  }
}

/**
 * Makes sure the document carries its PDF in one reference described CommercialInvoice or
 * CreditNote: the caller's PDF if given (replacing the source's), else the source's own, else a
 * generated summary. Only that reference keeps the designation (UBL.BE rule ubl-BE-02).
 */
export function embedPdf(ubl: UblDom, parsed: ParsedDocument, options: RenderOptions): void {
  const designation = ubl.kind === 'invoice' ? 'CommercialInvoice' : 'CreditNote';
  const found = findPdfReference(ubl.root);
  const reference = found?.reference ?? addReference(ubl, parsed.number);
  if (options.pdf || !found) {
    const pdf =
      options.pdf ??
      renderInvoicePdf(summarize(ubl, parsed, `${options.softwareName} ${options.softwareVersion}`));
    const attachment = find(reference, 'cac:Attachment') ?? appendAttachment(ubl, reference);
    for (const old of childElements(attachment)) attachment.removeChild(old);
    const object = createElement(ubl.document, 'cbc:EmbeddedDocumentBinaryObject', pdf.toString('base64'));
    object.setAttribute('mimeCode', 'application/pdf');
    object.setAttribute('filename', found?.object.getAttribute('filename') ?? pdfFileName(parsed.number));
    attachment.appendChild(object);
  }
  const description = child(reference, 'cbc:DocumentDescription');
  if (description) setText(ubl.document, description, designation);
  else {
    const created = createElement(ubl.document, 'cbc:DocumentDescription', designation);
    insertInOrder(reference, created, 'DocumentReference');
  }
  for (const other of children(ubl.root, 'cac:AdditionalDocumentReference')) {
    const otherDescription = child(other, 'cbc:DocumentDescription');
    const text = textOf(otherDescription);
    if (other !== reference && otherDescription && PDF_DESIGNATIONS.some((name) => name === text)) {
      setText(ubl.document, otherDescription, `${text} (attachment)`);
    }
  }
}

function addReference(ubl: UblDom, number: string): XmlElement {
  const reference = createElement(ubl.document, 'cac:AdditionalDocumentReference');
  reference.appendChild(createElement(ubl.document, 'cbc:ID', number));
  return insertInOrder(ubl.root, reference, rootSequence(ubl));
}

function appendAttachment(ubl: UblDom, reference: XmlElement): XmlElement {
  return insertInOrder(reference, createElement(ubl.document, 'cac:Attachment'), 'DocumentReference');
}

/** "F2026/0001" -> "F2026_0001.pdf": the attachment name travels into file systems at the target. */
function pdfFileName(number: string): string {
  return `${safeSegment(number, 100)}.pdf`;
}

export function removeUblBeReference(ubl: UblDom): void {
  for (const reference of children(ubl.root, 'cac:AdditionalDocumentReference')) {
    if (textOf(child(reference, 'cbc:ID'))?.toUpperCase() === 'UBL.BE') ubl.root.removeChild(reference);
  }
}

/** Every cac:TaxCategory (VAT breakdown, allowances, charges) and line cac:ClassifiedTaxCategory. */
export function taxCategories(ubl: UblDom): XmlElement[] {
  return descendants(ubl.root).filter(
    (element) =>
      element.namespaceURI === NS.cac &&
      (element.localName === 'TaxCategory' || element.localName === 'ClassifiedTaxCategory'),
  );
}

/**
 * Peppol BIS 2 / e-FFF shapes that EN 16931 (and so both our formats) places elsewhere: an
 * invoice's due date at cbc:DueDate (BT-9) instead of in PaymentMeans, and the BIC at
 * FinancialInstitutionBranch/cbc:ID (BT-86) instead of one level deeper.
 */
export function moveBis2Fields(ubl: UblDom): void {
  if (ubl.kind === 'invoice') {
    const dueDates = findAll(ubl.root, 'cac:PaymentMeans', 'cbc:PaymentDueDate');
    const first = dueDates.map(textOf).find(Boolean);
    if (first && !child(ubl.root, 'cbc:DueDate')) setRootValue(ubl, 'cbc:DueDate', first);
    for (const dueDate of dueDates) dueDate.parentNode?.removeChild(dueDate);
  }
  for (const branch of findAll(
    ubl.root,
    'cac:PaymentMeans',
    'cac:PayeeFinancialAccount',
    'cac:FinancialInstitutionBranch',
  )) {
    const institution = child(branch, 'cac:FinancialInstitution');
    const bic = textAt(institution, 'cbc:ID');
    if (!institution || !bic) continue;
    if (!child(branch, 'cbc:ID'))
      branch.insertBefore(createElement(ubl.document, 'cbc:ID', bic), branch.firstChild);
    branch.removeChild(institution);
  }
}
