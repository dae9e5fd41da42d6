import { ConnectorError } from '../errors';
import { mailTransportOf, type MailTransportConfig } from '../shared/email';
import type { CredentialCheckResult } from '../types';
import { mailboxSchema, mailboxWarning } from './mailbox';

/**
 * The credentials step. Nothing can be checked live: SMTP offers no way to ask whether a mailbox
 * exists without sending to it (VRFY is off almost everywhere), so an unknown address shows up at the
 * first delivery, which then fails as misconfigured naming it. No secret is kept. What can be checked
 * is our side: a Relais without a mail relay configured refuses the setup rather than every delivery.
 */
export function checkOctopusMailbox(
  values: Record<string, unknown>,
  config: MailTransportConfig,
): CredentialCheckResult {
  const transport = mailTransportOf(config);
  if ('problem' in transport) {
    throw new ConnectorError(
      'misconfigured',
      `${transport.problem} Octopus cannot be connected until it is.`,
    );
  }
  const parsed = mailboxSchema.safeParse(values.mailbox);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid-credentials',
      parsed.error.issues.map((issue) => issue.message).join('; '),
    );
  }
  const mailbox = parsed.data;
  const warning = mailboxWarning(mailbox);
  return {
    secrets: {},
    settings: { mailbox, ...(warning ? { warning } : {}) },
    account: { id: mailbox, name: mailbox },
  };
}
