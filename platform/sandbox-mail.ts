/*
 * The mail sandbox `npm start` runs when the operator configured no relay (RELAIS_SMTP_URL unset, never
 * in production): the mail catcher on loopback, without TLS or login, keeping every mail Relais sends as
 * .eml under `<data dir>/mail/`, so the quick tour can connect Octopus and open the mail it sent.
 */
import path from 'node:path';
import { startMailCatcher, type MailCatcher } from './mail-catcher';

/** The sender used when the operator set none: `.invalid` (RFC 2606), so such a mail never leaves. */
export const SANDBOX_MAIL_FROM = 'invoices@relais-sandbox.invalid';

export interface SandboxMail extends MailCatcher {
  /** What RELAIS_SMTP_URL must say to send here: plain SMTP on loopback, STARTTLS explicitly off. */
  url: string;
}

export async function startSandboxMail(options: { dataDir: string; port?: number }): Promise<SandboxMail> {
  const catcher = await startMailCatcher({
    folder: path.join(options.dataDir, 'mail'),
    host: '127.0.0.1',
    port: options.port ?? 0,
  });
  return { ...catcher, url: `smtp://${catcher.host}:${catcher.port}?starttls=off` };
}

/** The environment the connectors read, pointed at the sandbox (the operator's sender kept if set). */
export function sandboxMailEnv(sandbox: Pick<SandboxMail, 'url'>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    RELAIS_SMTP_URL: sandbox.url,
    RELAIS_MAIL_FROM: env.RELAIS_MAIL_FROM || SANDBOX_MAIL_FROM,
  };
}
