import { ConnectorError } from '../errors';
import type { MailTransportConfig } from '../shared/email';
import { documentTitle, mailXmlToMailbox } from '../shared/mailbox-delivery';
import type { DeliveryInput, DeliveryReceipt, Settings } from '../types';

/**
 * The chosen administration's inbox: the address the user entered at setup, else the one Zenvoices
 * showed for it at the credentials step.
 */
export function zenvoicesInbox(settings: Settings): string {
  if (typeof settings.mailbox === 'string' && settings.mailbox) return settings.mailbox;
  const chosen = Array.isArray(settings.administrationIds) ? String(settings.administrationIds[0] ?? '') : '';
  const known = (settings.administrationMailboxes ?? {}) as Record<string, unknown>;
  const address = known[chosen];
  if (typeof address === 'string' && address) return address;
  throw new ConnectorError(
    'misconfigured',
    "Zenvoices shows no e-mail address for the chosen administration. Set the connection up again and enter the administration's @to-zenvoices.com address.",
  );
}

/** One mail per document to the administration's inbox; each attachment becomes a document there. */
export function deliverToZenvoices(
  config: MailTransportConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  return mailXmlToMailbox(config, input, {
    to: zenvoicesInbox(input.settings),
    subject: documentTitle(input.document),
  });
}
