import { reconcileBaseQuantities } from './base-quantity';
import { decodeBase64, findPdfReference } from './find-pdf';
import { summarize } from './invoice-summary';
import { readDocument } from './parse-ubl';
import { renderInvoicePdf } from './render-pdf';
import { toPeppol } from './render-peppol';
import { toUblBe } from './render-ubl-be';
import {
  describeReferences,
  embedPdf,
  moveBis2Fields,
  normalizeIdentifierSchemes,
  pruneEmptyElements,
  setSpecification,
  type RenderOptions,
} from './rewrite-common';
import { loadUbl } from './ubl-dom';
import type { OutputFormat } from './ubl-flavour';
import { serializeXml } from './xml-write';

export type { RenderOptions } from './rewrite-common';

/**
 * Produces the format a target asks for from an accepted UBL document.
 *
 * A document already in that flavour is returned untouched (the same bytes: the sender's file, its
 * signature-free formatting and embedded PDF are what the target should see). Otherwise the
 * document is rewritten: specification identifiers, the PDF as a designated attachment (the
 * caller's, the source's, or a generated summary), then the format's own rules. Throws a
 * DocumentError when the source cannot be delivered or cannot be expressed in the format.
 */
export function renderDocument(
  source: Buffer | string,
  format: OutputFormat,
  options: RenderOptions,
): Buffer {
  const ubl = loadUbl(source);
  const parsed = readDocument(ubl);
  if (parsed.flavour === format) return typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  pruneEmptyElements(ubl.root);
  setSpecification(ubl, format);
  normalizeIdentifierSchemes(ubl);
  describeReferences(ubl);
  moveBis2Fields(ubl);
  reconcileBaseQuantities(ubl);
  embedPdf(ubl, parsed, options);
  if (format === 'ubl-be-3') toUblBe(ubl, parsed.currency, options);
  else toPeppol(ubl);
  pruneEmptyElements(ubl.root);
  return Buffer.from(serializeXml(ubl.document), 'utf8');
}

/**
 * The document's own PDF when it embeds one (see findPdfReference), else a generated summary: for
 * targets that want the visual invoice next to, or instead of, the XML.
 */
export function pdfForDocument(source: Buffer | string, options: Omit<RenderOptions, 'pdf'>): Buffer {
  const ubl = loadUbl(source);
  const parsed = readDocument(ubl);
  const found = findPdfReference(ubl.root);
  if (found) return decodeBase64(found.object);
  return renderInvoicePdf(summarize(ubl, parsed, `${options.softwareName} ${options.softwareVersion}`));
}
