/*
 * One document, one mail: sendDocumentMail hands a message to the operator's relay with nodemailer and
 * returns the relay's 250 answer, which the delivery stores as its receipt at once. SMTP has no
 * idempotency key; the deterministic Message-ID lets the recipient (or a person) recognise the one
 * duplicate a crash between the 250 and the stored receipt can cause (see README.md).
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';
import { ConnectorError } from '../../errors';
import { mailTransportOf, type MailTransport, type MailTransportConfig } from './config';
import { megabytes, smtpFailure, type SmtpFailure } from './failure';

export interface DocumentMail {
  /** Stable for one (document, connection): the Message-ID is derived from it. */
  deliveryId: string;
  /** One address, in To (never BCC: some mailrooms ignore what they were only blind-copied). */
  to: string;
  cc?: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export interface SentMail {
  messageId: string;
  /** The relay's final answer, e.g. "250 2.0.0 Ok: queued as 4F2A1C". */
  response: string;
}

const singleAddress = z.email();

export async function sendDocumentMail(config: MailTransportConfig, mail: DocumentMail): Promise<SentMail> {
  const transport = mailTransportOf(config);
  if ('problem' in transport) throw new ConnectorError('misconfigured', transport.problem);
  for (const address of [mail.to, ...(mail.cc ? [mail.cc] : [])]) {
    // One plain address each: a list or a display name here would mail someone the user never named.
    if (!singleAddress.safeParse(address).success) {
      throw new ConnectorError(
        'misconfigured',
        `"${address}" is not one e-mail address. Check the connection's mailbox.`,
      );
    }
  }
  const mailBytes = mail.attachments.reduce((sum, attachment) => sum + attachment.content.length, 0);
  if (mailBytes > transport.maxBytes) {
    throw new ConnectorError(
      'rejected',
      `The attachments (${megabytes(mailBytes)}) are over the ${megabytes(transport.maxBytes)} a mail may carry.`,
    );
  }
  const messageId = messageIdFor(mail.deliveryId, transport.from);
  const transporter = nodemailer.createTransport(transportOptions(transport));
  try {
    const info = await transporter.sendMail({
      from: transport.from,
      to: mail.to,
      ...(mail.cc ? { cc: mail.cc } : {}),
      // The envelope says exactly who receives it: the To and CC addresses, nobody else.
      envelope: { from: transport.from, to: [mail.to, ...(mail.cc ? [mail.cc] : [])] },
      subject: mail.subject,
      text: mail.text,
      messageId,
      attachments: mail.attachments.map(({ filename, content, contentType }) => ({
        filename,
        content,
        contentType,
      })),
      // Nothing in a message may make nodemailer read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    // One recipient refused, the other accepted: the mail went out, but not to everyone it was for.
    // Reported as that recipient's refusal; a retry (4xx) sends it to both again, same Message-ID.
    const refused = (info as { rejectedErrors?: Array<SmtpFailure & { recipient?: string }> }).rejectedErrors;
    if (refused?.[0]) {
      throw smtpFailure(refused[0], { to: refused[0].recipient ?? mail.to, mailBytes });
    }
    return { messageId, response: info.response };
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw smtpFailure(error as SmtpFailure, {
      to: mail.to,
      mailBytes,
      ...(transport.relay.password ? { secret: transport.relay.password } : {}),
    });
  } finally {
    transporter.close();
  }
}

/**
 * `<relais.{delivery id}@{sender's domain}>`: the same for every attempt of one delivery. Ids with
 * characters a Message-ID cannot carry are hashed.
 */
export function messageIdFor(deliveryId: string, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1) || 'relais.invalid';
  const local = /^[A-Za-z0-9._-]{1,128}$/.test(deliveryId)
    ? deliveryId
    : createHash('sha256').update(deliveryId).digest('hex').slice(0, 40);
  return `<relais.${local}@${domain}>`;
}

function transportOptions(transport: MailTransport): SMTPTransport.Options {
  const { relay } = transport;
  return {
    host: relay.host,
    port: relay.port,
    secure: relay.implicitTls,
    requireTLS: !relay.implicitTls && relay.starttls === 'required',
    ignoreTLS: !relay.implicitTls && relay.starttls === 'off',
    ...(relay.user ? { auth: { user: relay.user, pass: relay.password ?? '' } } : {}),
    ...(transport.tlsCa ? { tls: { ca: transport.tlsCa } } : {}),
    ...(transport.dkim ? { dkim: transport.dkim } : {}),
    connectionTimeout: transport.timeoutMs,
    greetingTimeout: transport.timeoutMs,
    socketTimeout: transport.timeoutMs,
    // nodemailer's own logging would print the exchange, AUTH included.
    logger: false,
    debug: false,
  };
}
