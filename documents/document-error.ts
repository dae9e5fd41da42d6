/**
 * What can be wrong with a document we are asked to carry. A delivery that fails with one of these
 * is a *rejected document*: retrying will not help, the sender must fix the file.
 */
export type DocumentErrorCode =
  | 'malformed-xml'
  | 'dtd-forbidden'
  | 'wrong-root'
  | 'missing-field'
  | 'invalid-field'
  | 'unsupported-tax-category';

export class DocumentError extends Error {
  override readonly name = 'DocumentError';

  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    /** The XML element (qualified name) or field the message is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isDocumentError(error: unknown): error is DocumentError {
  return error instanceof DocumentError;
}
