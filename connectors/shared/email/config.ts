/*
 * The operator's outgoing mail settings, read from the environment by every connector that delivers
 * by e-mail. The relay's password may sit in RELAIS_SMTP_URL or RELAIS_SMTP_PASSWORD: it is kept out of
 * every message built here (zod issues name the variable, never its value) and out of the parsed
 * object's enumerable properties, so logging the configuration cannot print it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** 15 MiB of attachments: about 20 MB once base64-encoded, what most mail servers still accept. */
export const DEFAULT_MAIL_MAX_BYTES = 15 * 1024 * 1024;

/** How Relais reaches its mail relay, parsed from RELAIS_SMTP_URL. */
export interface SmtpRelay {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (port 465 by default). */
  implicitTls: boolean;
  /**
   * smtp:// only. `required` (the default): no STARTTLS offered, no mail sent. `?starttls=optional`
   * upgrades when the server offers it; `?starttls=off` never upgrades (a local catcher).
   */
  starttls: 'required' | 'optional' | 'off';
  user?: string;
  /** Non-enumerable: absent from JSON, util.inspect and spreads. */
  readonly password?: string;
}

const starttlsModes = ['required', 'optional', 'off'] as const;

const smtpUrl = z
  .string()
  .optional()
  .transform((value, context): SmtpRelay | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      context.addIssue({ code: 'custom', message: 'expected smtp://host:port or smtps://host:port' });
      return z.NEVER;
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      context.addIssue({ code: 'custom', message: 'expected an smtp:// or smtps:// address' });
      return z.NEVER;
    }
    if (!url.hostname) {
      context.addIssue({ code: 'custom', message: 'the address names no host' });
      return z.NEVER;
    }
    const implicitTls = url.protocol === 'smtps:';
    const mode = url.searchParams.get('starttls') ?? 'required';
    if (!starttlsModes.includes(mode as SmtpRelay['starttls'])) {
      context.addIssue({ code: 'custom', message: 'starttls= must be required, optional or off' });
      return z.NEVER;
    }
    const relay: SmtpRelay = {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : implicitTls ? 465 : 587,
      implicitTls,
      starttls: mode as SmtpRelay['starttls'],
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    };
    if (url.password) withPassword(relay, decodeURIComponent(url.password));
    return relay;
  });

/** Attaches the password so that only a deliberate `relay.password` reads it. */
function withPassword(relay: SmtpRelay, password: string): SmtpRelay {
  Object.defineProperty(relay, 'password', { value: password, enumerable: false });
  return relay;
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** A PEM file's content (the relay's own CA, e.g. a test server's self-signed certificate). */
const pemFile = optionalText.transform((file, context) => {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    context.addIssue({ code: 'custom', message: `cannot read the PEM file ${file}` });
    return z.NEVER;
  }
});

/** The zod piece a connector spreads into its configSchema. */
export const mailTransportConfig = {
  /** smtp://[user:password@]host[:port][?starttls=optional|off] or smtps://…; unset, sending fails as misconfigured. */
  RELAIS_SMTP_URL: smtpUrl,
  RELAIS_SMTP_USER: optionalText,
  RELAIS_SMTP_PASSWORD: optionalText,
  /** The sender of every mail (the From header and the envelope sender). */
  RELAIS_MAIL_FROM: optionalText.pipe(z.email('expected an e-mail address').optional()),
  RELAIS_DKIM_DOMAIN: optionalText,
  RELAIS_DKIM_SELECTOR: optionalText,
  /** The DKIM private key as PEM text (literal "\n" accepted, for one-line environment files). */
  RELAIS_DKIM_PRIVATE_KEY: optionalText.transform((key) => key?.replace(/\\n/g, '\n')),
  RELAIS_SMTP_TLS_CA: pemFile,
  /** Sum of the attachments' sizes a mail may carry, checked before connecting. */
  RELAIS_MAIL_MAX_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAIL_MAX_BYTES),
  /** Bound on connecting, the greeting and each reply of the relay. */
  RELAIS_SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
};

export const mailTransportSchema = z.object(mailTransportConfig);
export type MailTransportConfig = z.output<typeof mailTransportSchema>;

/** The settings sendDocumentMail works from, checked as a whole (DKIM is all three variables or none). */
export interface MailTransport {
  relay: SmtpRelay;
  from: string;
  tlsCa?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  maxBytes: number;
  timeoutMs: number;
}

/**
 * The transport the configuration describes, or why it cannot send, in words for the operator (the
 * variable to set). Never quotes the password.
 */
export function mailTransportOf(config: MailTransportConfig): MailTransport | { problem: string } {
  const relay = config.RELAIS_SMTP_URL;
  if (!relay) return { problem: 'Relais has no outgoing mail server configured (RELAIS_SMTP_URL).' };
  if (!config.RELAIS_MAIL_FROM) {
    return { problem: 'Relais has no sender address configured for e-mail deliveries (RELAIS_MAIL_FROM).' };
  }
  const dkimParts = [config.RELAIS_DKIM_DOMAIN, config.RELAIS_DKIM_SELECTOR, config.RELAIS_DKIM_PRIVATE_KEY];
  const dkimSet = dkimParts.filter((part) => part !== undefined).length;
  if (dkimSet !== 0 && dkimSet !== 3) {
    return {
      problem:
        'DKIM signing needs RELAIS_DKIM_DOMAIN, RELAIS_DKIM_SELECTOR and RELAIS_DKIM_PRIVATE_KEY together.',
    };
  }
  const user = relay.user ?? config.RELAIS_SMTP_USER;
  const password = relay.password ?? config.RELAIS_SMTP_PASSWORD;
  const withCredentials: SmtpRelay = { ...relay, ...(user ? { user } : {}) };
  if (password !== undefined) withPassword(withCredentials, password);
  return {
    relay: withCredentials,
    from: config.RELAIS_MAIL_FROM,
    ...(config.RELAIS_SMTP_TLS_CA ? { tlsCa: config.RELAIS_SMTP_TLS_CA } : {}),
    ...(dkimSet === 3
      ? {
          dkim: {
            domainName: config.RELAIS_DKIM_DOMAIN!,
            keySelector: config.RELAIS_DKIM_SELECTOR!,
            privateKey: config.RELAIS_DKIM_PRIVATE_KEY!,
          },
        }
      : {}),
    maxBytes: config.RELAIS_MAIL_MAX_BYTES,
    timeoutMs: config.RELAIS_SMTP_TIMEOUT_MS,
  };
}
