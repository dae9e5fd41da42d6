/*
 * Names and paths for delivered files. Invoice numbers and company names come from outside
 * ("F2026/0001", "../../etc", "ACME\u202Egpj.exe"), and targets (Dropbox, SFTP servers, Windows
 * shares behind accounting packages) refuse or misread some characters. Every piece of outside
 * text becomes a single safe path segment: it can never create a folder, climb out of the base
 * path, hide itself (leading dot) or end in a dot or space (dropped by Windows).
 */

export type DocumentType = 'purchase-invoice' | 'sales-invoice';

const DEFAULT_SEGMENT_LENGTH = 100;
/** Well under the 255-byte limit of common file systems, even with multi-byte characters. */
const FILE_NAME_LENGTH = 150;

/** Names Windows refuses whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * One safe path segment: NFC, letters/marks/digits and ` -_.,()&+@'` only (anything else,
 * including `\ / : * ? " < > |`, control and format characters such as bidi overrides, becomes
 * "_"), runs of dots, spaces and underscores collapsed, no leading or trailing dot, space or
 * underscore, Windows device names defused, at most `maxLength` characters, never empty ("_").
 * Idempotent: a safe segment passes through unchanged.
 */
export function safeSegment(value: string, maxLength = DEFAULT_SEGMENT_LENGTH): string {
  let text = value
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N} \-_.,()&+@']/gu, '_')
    .replace(/ +/g, ' ')
    // "../" became ".._": a run of dots and underscores is one separator, a run of dots one dot.
    .replace(/[._]*_[._]*/g, '_')
    .replace(/\.+/g, '.');
  const limit = Math.max(1, maxLength);
  text = trimEnds([...trimEnds(text)].slice(0, limit).join(''));
  // After truncation, so that cutting cannot turn "COM1x" into a reserved "COM1" on a second pass.
  const reserved = RESERVED.exec(text);
  if (reserved) {
    text = trimEnds([...`${reserved[1]}-${text.slice(reserved[1]!.length)}`].slice(0, limit).join(''));
    if (RESERVED.test(text)) text = '';
  }
  return text === '' ? '_' : text;
}

function trimEnds(text: string): string {
  return text.replace(/^[._ ]+/, '').replace(/[._ ]+$/, '');
}

function safeExtension(ext: string | undefined): string {
  const cleaned = (ext ?? 'xml').toLowerCase().replace(/[^a-z0-9]/g, '');
  return cleaned.slice(0, 10) || 'xml';
}

export interface DeliveryFileNameInput {
  /** YYYY-MM-DD. */
  issueDate: string;
  /** The invoice number, as the sender wrote it. */
  number: string;
  /** A short, stable id of the document in Relais, so two invoices with the same number never collide. */
  shortId: string;
  /** Without the dot; default "xml". */
  ext?: string;
}

/** `<date>_<number>_<short id>.<ext>`, e.g. `2026-01-31_F2026_0001_3f9a1c2b.xml`. */
export function deliveryFileName({ issueDate, number, shortId, ext }: DeliveryFileNameInput): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(issueDate) ? issueDate : safeSegment(issueDate, 20);
  // The joined stem is made safe once more: joining parts can create runs a second pass would collapse.
  const stem = safeSegment(
    `${date}_${safeSegment(number, 80)}_${safeSegment(shortId, 32)}`,
    FILE_NAME_LENGTH - 11,
  );
  return `${stem}.${safeExtension(ext)}`;
}

export interface DropboxPathInput {
  company: string;
  vat?: string;
  documentType: DocumentType;
  /** A name from deliveryFileName; sanitized again, so any string is safe here. */
  fileName: string;
}

/** `Invoice_import/<Company>_<VAT>/AP|AR/<file>`: AP (payables) for purchases, AR (receivables) for sales. */
export function dropboxPath({ company, vat, documentType, fileName }: DropboxPathInput): string {
  const folder = safeSegment(
    vat ? `${safeSegment(company, 80)}_${safeSegment(vat, 30)}` : safeSegment(company, 80),
    111,
  );
  const ledger = documentType === 'purchase-invoice' ? 'AP' : 'AR';
  return `Invoice_import/${folder}/${ledger}/${safeSegment(fileName, FILE_NAME_LENGTH)}`;
}

export const DEFAULT_UPLOAD_TEMPLATE = 'Invoice_import/';

export interface UploadPathVariables {
  external_id: string;
  uen_number: string;
  invoice_type: 'purchases' | 'sales';
  year: string | number;
}

export function invoiceTypeOf(documentType: DocumentType): UploadPathVariables['invoice_type'] {
  return documentType === 'purchase-invoice' ? 'purchases' : 'sales';
}

/**
 * Expands an SFTP upload folder template such as `Invoice_import/[uen_number]/[invoice_type]/[year]/`
 * into a relative folder path ending in "/" (or "" for the base folder itself). The template is the
 * user's configuration and may contain "/" separators; every resulting segment is made safe, so a
 * template or a value can never point above the base folder ("..", absolute paths, backslashes).
 * Unknown placeholders are kept as text (made safe: `[x]` becomes `_x_`).
 */
export function sftpUploadPath(template: string | undefined, vars: UploadPathVariables): string {
  const values: Record<string, string> = {
    external_id: safeSegment(vars.external_id, 60),
    uen_number: safeSegment(vars.uen_number, 30),
    invoice_type: vars.invoice_type === 'purchases' ? 'purchases' : 'sales',
    year: safeSegment(String(vars.year), 4),
  };
  const segments = (template ?? DEFAULT_UPLOAD_TEMPLATE)
    .split(/[\\/]+/)
    .map((segment) =>
      segment.replace(/\[([a-z_]+)\]/gi, (match, name: string) => values[name.toLowerCase()] ?? match),
    )
    // Empty, "." and ".." segments are navigation, not names: dropped, never turned into folders.
    .filter((segment) => !/^[. ]*$/.test(segment))
    .map((segment) => safeSegment(segment));
  return segments.length === 0 ? '' : `${segments.join('/')}/`;
}
