import { parseUbl } from '../../documents/parse-ubl';
import { ConnectorError } from '../errors';
import { elementsNamed, textOfChild } from '../shared/soap';
import type { DeliveryInput, DeliveryReceipt, DocumentType } from '../types';
import { apiKeyOf, readSettings, type YukiConfig } from './config';
import { MAX_DOCUMENT_BYTES } from './descriptor';
import { callWithSession, type YukiSessionContext, type YukiSessions } from './session';

/** Archive folders the documents are filed in: 1 purchase invoices, 2 sales invoices [assume]. */
const archiveFolder: Record<DocumentType, number> = { 'purchase-invoice': 1, 'sales-invoice': 2 };

/**
 * Files the e-FFF invoice and its PDF in the chosen administration with one
 * `Archive.asmx UploadDocumentWithAttachment` (Yuki's advice for UBL + PDF [doc]). Yuki takes no
 * idempotency key: before uploading, the administration's archive is searched for a document under
 * our file name (an attempt that crashed after Yuki stored the upload), and found, it is the receipt.
 */
export async function deliverToYuki(
  config: YukiConfig,
  sessions: YukiSessions,
  input: DeliveryInput,
  now: () => number = Date.now,
): Promise<DeliveryReceipt> {
  const settings = readSettings(input.settings);
  const administrationId = settings.administrationIds?.[0];
  if (!administrationId) {
    throw new ConnectorError(
      'misconfigured',
      'The Yuki connection has no administration. Set the connection up again and choose one.',
    );
  }
  const pdf = await input.pdf();
  if (input.content.length + pdf.length > MAX_DOCUMENT_BYTES) {
    throw new ConnectorError(
      'rejected',
      `The invoice and its PDF are too large for Relais's Yuki connection (${input.content.length + pdf.length} bytes; at most ${MAX_DOCUMENT_BYTES}).`,
    );
  }
  const context: YukiSessionContext = {
    endpoint: { baseUrl: config.baseUrls[settings.country], timeoutMs: config.timeoutMs, now },
    apiKey: apiKeyOf(input.credentials),
    phase: 'delivery',
    sessions,
  };
  const details = { administrationId, country: settings.country };

  const earlier = await findEarlierUpload(context, administrationId, input.fileName);
  if (earlier) return { remoteId: earlier, remotePath: input.fileName, alreadyPresent: true, details };

  const { currency, amount } = amountOf(input.content);
  const answer = await callWithSession(context, {
    service: 'Archive',
    method: 'UploadDocumentWithAttachment',
    params: [
      ['fileName1', input.fileName],
      ['data1', input.content.toString('base64')],
      ['fileName2', pdfFileName(input.fileName)],
      ['data2', pdf.toString('base64')],
      ['folder', archiveFolder[input.documentType]],
      ['administrationID', administrationId],
      ['currency', currency],
      ['amount', amount],
      ['costCategory', ''],
      ['paymentMethod', 0],
      ['project', ''],
      ['remarks', `Relais ${input.deliveryId}`],
    ],
    action: `upload invoice ${input.document.number}`,
  });
  const documentId = answer.textContent?.trim();
  if (!documentId) {
    // Yuki may still have stored it: the retry searches before uploading again.
    throw new ConnectorError('unavailable', 'Yuki answered the upload without a document ID.');
  }
  return { remoteId: documentId, remotePath: input.fileName, alreadyPresent: false, details };
}

/**
 * `Archive.asmx SearchDocuments` for our file name in the administration [assume: parameters and the
 * answer's shape, `<Document ID="…"><Subject>` / `<FileName>`, are not published]; the ID of a
 * document filed under exactly that name, else undefined.
 */
async function findEarlierUpload(
  context: YukiSessionContext,
  administrationId: string,
  fileName: string,
): Promise<string | undefined> {
  const answer = await callWithSession(context, {
    service: 'Archive',
    method: 'SearchDocuments',
    params: [
      ['administrationID', administrationId],
      ['searchOption', 'Subject'],
      ['searchText', fileName],
      ['folderID', -1],
      ['tabID', -1],
      ['sortOrder', 'CreatedDesc'],
      ['startDate', '2000-01-01'],
      ['endDate', '2100-01-01'],
      ['numberOfRecords', 100],
      ['startRecord', 0],
    ],
    action: 'look for the invoice uploaded earlier',
  });
  const found = elementsNamed(answer, 'Document').find(
    (document) =>
      textOfChild(document, 'FileName') === fileName || textOfChild(document, 'Subject') === fileName,
  );
  return found?.getAttribute('ID')?.trim() || undefined;
}

/** Currency and amount due as the invoice states them (decimal string), for Yuki's fields of the same name. */
function amountOf(content: Buffer): { currency: string; amount: string } {
  try {
    const parsed = parseUbl(content);
    return { currency: parsed.currency, amount: parsed.totals.payable };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectorError('rejected', `The invoice could not be read for Yuki: ${reason}`);
  }
}

function pdfFileName(xmlFileName: string): string {
  return `${xmlFileName.replace(/\.xml$/i, '')}.pdf`;
}
