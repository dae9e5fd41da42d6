import { DocumentError } from './document-error';
import { children, find, textAt, type XmlElement } from './ubl-dom';

/** DocumentDescription / DocumentType values that mark the attachment as the invoice itself. */
export const PDF_DESIGNATIONS = ['CommercialInvoice', 'CreditNote'] as const;

export interface PdfReference {
  /** The cac:AdditionalDocumentReference holding the PDF. */
  reference: XmlElement;
  /** Its cbc:EmbeddedDocumentBinaryObject. */
  object: XmlElement;
  /** True when found by its description/type, false when it is merely the first PDF attachment. */
  designated: boolean;
}

function isDesignated(reference: XmlElement): boolean {
  const labels = [textAt(reference, 'cbc:DocumentDescription'), textAt(reference, 'cbc:DocumentType')];
  return labels.some((label) => PDF_DESIGNATIONS.some((name) => name.toLowerCase() === label?.toLowerCase()));
}

function embeddedPdf(reference: XmlElement): XmlElement | undefined {
  const object = find(reference, 'cac:Attachment', 'cbc:EmbeddedDocumentBinaryObject');
  if (!object || !object.textContent?.trim()) return undefined;
  return object.getAttribute('mimeCode')?.trim().toLowerCase() === 'application/pdf' ? object : undefined;
}

/**
 * The invoice's own PDF: the reference described (or typed) CommercialInvoice or CreditNote, else
 * the first embedded application/pdf attachment (UBL.BE, e-FFF and Peppol senders differ here).
 */
export function findPdfReference(root: XmlElement): PdfReference | undefined {
  const references = children(root, 'cac:AdditionalDocumentReference');
  for (const reference of references) {
    const object = isDesignated(reference) ? embeddedPdf(reference) : undefined;
    if (object) return { reference, object, designated: true };
  }
  for (const reference of references) {
    const object = embeddedPdf(reference);
    if (object) return { reference, object, designated: false };
  }
  return undefined;
}

/** Decodes xs:base64Binary strictly: Buffer.from would silently skip garbage and hand us a broken PDF. */
export function decodeBase64(object: XmlElement): Buffer {
  const compact = (object.textContent ?? '').replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    const name = object.getAttribute('filename');
    throw new DocumentError(
      'invalid-field',
      `The embedded PDF${name ? ` "${name}"` : ''} (cbc:EmbeddedDocumentBinaryObject) is not valid base64.`,
      'cbc:EmbeddedDocumentBinaryObject',
    );
  }
  return Buffer.from(compact, 'base64');
}
