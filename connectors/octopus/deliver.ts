import type { DeliveryInput, DeliveryReceipt } from '../types';
import { documentMailOf, sendDocumentMail, type MailTransportConfig } from '../shared/email';
import { mailboxSchema } from './mailbox';
import { ConnectorError } from '../errors';

/**
 * One mail to the dossier's mailbox with the e-FFF XML and the PDF. The relay's 250 answer (its queue
 * id) is the receipt, stored by the activity as soon as this returns; see shared/email/README.md for
 * the one window in which a crash sends the mail twice (with the same Message-ID).
 */
export async function deliverToOctopus(
  input: DeliveryInput,
  config: MailTransportConfig,
): Promise<DeliveryReceipt> {
  const mailbox = mailboxSchema.safeParse(input.settings.mailbox);
  if (!mailbox.success) {
    throw new ConnectorError(
      'misconfigured',
      "This Octopus connection has no valid mailbox address. Connect Octopus again with the dossier's mailbox.",
    );
  }
  const mail = await documentMailOf(input, { to: mailbox.data, withPdf: true });
  const sent = await sendDocumentMail(config, mail);
  return {
    remoteId: sent.messageId,
    alreadyPresent: false,
    details: { to: mailbox.data, messageId: sent.messageId, smtpResponse: sent.response },
  };
}
