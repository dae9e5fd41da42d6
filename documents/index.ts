/** documents/: pure parsing, rendering and naming of UBL e-invoices (no I/O). See README.md. */
export { DocumentError, isDocumentError, type DocumentErrorCode } from './document-error';
export {
  parseUbl,
  type ParsedDocument,
  type ParsedParty,
  type ParsedPdf,
  type ParsedTotals,
} from './parse-ubl';
export { pdfForDocument, renderDocument, type RenderOptions } from './render-document';
export { formatWarnings, type FormatWarning } from './format-warnings';
export {
  CUSTOMIZATION_ID,
  PEPPOL_BILLING_PROFILE,
  detectFlavour,
  type Flavour,
  type OutputFormat,
} from './ubl-flavour';
export {
  DEFAULT_UPLOAD_TEMPLATE,
  deliveryFileName,
  dropboxPath,
  invoiceTypeOf,
  safeSegment,
  sftpUploadPath,
  type DeliveryFileNameInput,
  type DocumentType,
  type DropboxPathInput,
  type UploadPathVariables,
} from './file-names';
export { isValidBelgianEnterpriseNumber, normalizeBelgianEnterpriseNumber } from './belgian-ids';
export { BELGIAN_TAX_CODES, belgianTaxCodeFor, type BelgianTaxCode } from './tax-codes';
