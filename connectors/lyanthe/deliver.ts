import type { MailTransportConfig } from '../shared/email';
import { mailXmlToMailbox } from '../shared/mailbox-delivery';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import { mailroomAddress, mailroomSubject } from './mailroom';

/** One mail per document, the mailroom of the document's flow in To, the XML its only file type. */
export function deliverToLyanthe(
  config: MailTransportConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  return mailXmlToMailbox(config, input, {
    to: mailroomAddress(input.settings, input.documentType),
    subject: mailroomSubject(input.document),
  });
}
