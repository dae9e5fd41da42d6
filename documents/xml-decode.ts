import { DocumentError } from './document-error';

/** Turns bytes into text. UBL documents are UTF-8 (Peppol requires it); anything else is refused. */
export function decodeXml(input: Buffer | string): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) {
    throw new DocumentError(
      'malformed-xml',
      'The document is UTF-16; UBL documents must be encoded in UTF-8.',
    );
  }
  try {
    // fatal: invalid bytes are an error, not U+FFFD silently written into an invoice.
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new DocumentError('malformed-xml', 'The document is not valid UTF-8.');
  }
}
