import { parentPort } from 'node:worker_threads';
import { isDocumentError } from '../documents/document-error';
import { parseUbl } from '../documents/parse-ubl';

/** A parse-pool thread: parses one UBL document per message, answers the summary or the DocumentError. */
parentPort?.on('message', ({ id, xml }: { id: number; xml: Uint8Array }) => {
  try {
    const parsed = parseUbl(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength));
    parentPort!.postMessage({ id, parsed });
  } catch (error) {
    const documentError = isDocumentError(error)
      ? { code: error.code, message: error.message, field: error.field }
      : { code: 'malformed-xml', message: `The document could not be read: ${String(error)}` };
    parentPort!.postMessage({ id, error: documentError });
  }
});
