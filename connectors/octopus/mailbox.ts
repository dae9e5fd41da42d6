/*
 * The dossier's mailbox address. Octopus documents `<code>@docin.octopus.be` (a `-WORD` suffix before
 * the @ files into a subfolder); an address on another domain is accepted, since Octopus could move or
 * add domains, but the setup says it looks wrong (the step's settings carry a `warning`).
 */
import { z } from 'zod';
import { requiredText } from '../shared/validators';

export const OCTOPUS_MAILBOX_DOMAIN = 'docin.octopus.be';

export const mailboxSchema = requiredText('Enter the mailbox address of the Octopus dossier').pipe(
  z.email('Paste the mailbox address shown in Octopus: one e-mail address, ending in @docin.octopus.be'),
);

/** What the setup tells the user about an address Octopus does not hand out, or undefined. */
export function mailboxWarning(mailbox: string): string | undefined {
  const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase();
  if (domain === OCTOPUS_MAILBOX_DOMAIN) return undefined;
  return (
    `${mailbox} does not end in @${OCTOPUS_MAILBOX_DOMAIN}, the domain of Octopus dossier mailboxes. ` +
    'Check that you copied the "Mailbox" field of the dossier; Relais will send the invoices to this address as entered.'
  );
}
