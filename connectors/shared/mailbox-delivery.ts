import type { DeliveryInput, DeliveryReceipt } from '../types';
import { sendDocumentMail, type MailTransportConfig } from './email';

/** What the document is, in words a person reading the mailbox understands. */
export function documentTitle(document: DeliveryInput['document']): string {
  const what = document.kind === 'credit-note' ? 'Credit note' : 'Invoice';
  return `${what} ${document.number} from ${document.supplierName}`;
}

/**
 * Mails the rendered XML, alone, to a mailbox that turns each attachment into a document (Zenvoices,
 * Lyanthe's mailroom): one mail, one attachment, so one document at the target. The e-FFF XML embeds
 * the PDF, so nothing is lost by not attaching it. The relay's 250 answer is the receipt.
 */
export async function mailXmlToMailbox(
  config: MailTransportConfig,
  input: DeliveryInput,
  mail: { to: string; subject: string },
): Promise<DeliveryReceipt> {
  const title = documentTitle(input.document);
  const sent = await sendDocumentMail(config, {
    deliveryId: input.deliveryId,
    to: mail.to,
    subject: mail.subject,
    text: `${title} (${input.document.issueDate}), for ${input.document.customerName}: the e-invoice is attached as ${input.fileName}.`,
    attachments: [{ filename: input.fileName, content: input.content, contentType: input.contentType }],
  });
  return {
    remoteId: sent.messageId,
    alreadyPresent: false,
    details: { to: mail.to, relayResponse: sent.response },
  };
}
