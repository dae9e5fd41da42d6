/*
 * One reading of a failed SMTP exchange (RFC 5321 reply codes, RFC 3463 enhanced status codes), as
 * nodemailer reports it, into the ConnectorError kinds deliveries branch on. The relay's own answer is
 * quoted (it names the reason); the error itself is never attached as a cause, since nodemailer's
 * errors carry the last command sent, which for AUTH holds the credentials.
 */
import { ConnectorError } from '../../errors';

/** What nodemailer sets on the errors of a send (smtp-connection's _formatError). */
export interface SmtpFailure {
  message?: string;
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

const MAX_QUOTED_CHARS = 300;

/** Network-level failures: the relay was not reached, or the link or TLS broke. */
const connectionCodes = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'ETLS',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPROTOCOL',
]);

/**
 * `to` is the recipient the mail was for (named when it is the one refused); `mailBytes` the size of
 * what was sent (named when the server says it is too large); `secret` is removed from any quoted text.
 */
export function smtpFailure(
  failure: SmtpFailure,
  context: { to: string; mailBytes: number; secret?: string },
): ConnectorError {
  const code = failure.responseCode;
  const answer = quoted(failure.response ?? '', context.secret);
  if (code !== undefined && code >= 400 && code < 500) {
    return new ConnectorError(
      'unavailable',
      `The mail server asked Relais to try again later (${answer || code}); the mail to ${context.to} will be sent again.`,
      { status: code },
    );
  }
  if (code !== undefined && code >= 500) {
    // A mailbox refused at RCPT TO (5.1.1 unknown, 5.1.2 bad domain, 5.1.3 bad syntax), not the sender.
    const recipientRefused = failure.command === undefined || failure.command === 'RCPT TO';
    if (recipientRefused && /\b5\.1\.[1-3]\b/.test(answer)) {
      return new ConnectorError(
        'misconfigured',
        `The mail server refused the address ${context.to}: ${answer || code}. Check the mailbox address of this connection.`,
        { status: code },
      );
    }
    if (code === 552 || /\b5\.[23]\.4\b/.test(answer) || /\b5\.3\.4\b/.test(answer)) {
      return new ConnectorError(
        'rejected',
        `The mail server refused the mail as too large (${megabytes(context.mailBytes)} with its attachments): ${answer || code}.`,
        { status: code },
      );
    }
    if (failure.code === 'EAUTH') return authFailure(answer || String(code));
    return new ConnectorError(
      'rejected',
      `The mail server refused the mail to ${context.to}: ${answer || code}.`,
      {
        status: code,
      },
    );
  }
  if (failure.code === 'EAUTH') return authFailure(answer || quoted(failure.message ?? '', context.secret));
  const reason = quoted(failure.message ?? '', context.secret) || 'no answer';
  if (failure.code === undefined || connectionCodes.has(failure.code)) {
    return new ConnectorError(
      'unavailable',
      `Relais could not reach its mail server or lost the connection (${reason}); it will try again.`,
    );
  }
  return new ConnectorError('unavailable', `Sending the mail failed (${reason}); Relais will try again.`);
}

/**
 * Our relay refused our own login: an operator's matter, not the customer's. Retried (the delivery
 * is kept) while the operator corrects RELAIS_SMTP_USER / RELAIS_SMTP_PASSWORD.
 */
function authFailure(answer: string): ConnectorError {
  return new ConnectorError(
    'unavailable',
    `The outgoing mail server refused Relais' login (${answer}); the operator must check RELAIS_SMTP_USER and ` +
      'RELAIS_SMTP_PASSWORD. Relais will try again.',
  );
}

function quoted(text: string, secret: string | undefined): string {
  let clean = text.replace(/\s+/g, ' ').trim();
  if (secret) clean = clean.split(secret).join('***');
  return clean.length > MAX_QUOTED_CHARS ? `${clean.slice(0, MAX_QUOTED_CHARS)}…` : clean;
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
