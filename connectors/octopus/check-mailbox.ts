import { ConnectorError } from '../errors';
import type { CredentialCheckResult } from '../types';
import { mailboxSchema, mailboxWarning } from './mailbox';

/**
 * The credentials step. Nothing can be checked live: SMTP offers no way to ask whether a mailbox
 * exists without sending to it (VRFY is off almost everywhere), so an unknown address shows up at the
 * first delivery, which then fails as misconfigured naming it. No secret is kept.
 */
export function checkOctopusMailbox(values: Record<string, unknown>): CredentialCheckResult {
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
