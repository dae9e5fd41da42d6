import { ConnectorError } from '../errors';
import type { Administration, CredentialCheckResult, Credentials, Settings } from '../types';
import { fetchAdministrations, signIn, type ZenvoicesApi, type ZenvoicesLogin } from './client';

/** The sign-in of a connection: user and organisation are settings, the password is its secret. */
function loginOf(settings: Settings, credentials: Credentials): ZenvoicesLogin {
  const password = credentials.kind === 'secrets' ? credentials.secrets.password : undefined;
  const { username, organisationCode } = settings;
  if (typeof username !== 'string' || typeof organisationCode !== 'string' || !password) {
    throw new ConnectorError(
      'auth-expired',
      'The Zenvoices sign-in of this connection is incomplete. Enter it again.',
    );
  }
  return { username, password, organisationCode };
}

/**
 * Credentials step: signs in (a refusal carries Zenvoices' own message) and reads the administrations'
 * inbox addresses where Zenvoices gives them, kept as settings so a delivery needs no API call.
 */
export async function checkZenvoicesCredentials(
  api: ZenvoicesApi,
  values: Record<string, unknown>,
  senderAddress: string | undefined,
): Promise<CredentialCheckResult> {
  const login: ZenvoicesLogin = {
    username: String(values.username ?? ''),
    password: String(values.password ?? ''),
    organisationCode: String(values.organisationCode ?? ''),
  };
  const token = await signIn(api, login);
  const administrations = await fetchAdministrations(api, token);
  const mailboxes = Object.fromEntries(
    administrations.filter((a) => a.mailbox).map((a) => [a.id, a.mailbox as string]),
  );
  return {
    secrets: { password: login.password },
    // senderAddress: the address the customer allows in Zenvoices' spam filter (on by default).
    settings: { administrationMailboxes: mailboxes, ...(senderAddress ? { senderAddress } : {}) },
    account: {
      id: `${login.organisationCode}/${login.username}`,
      name: `${login.username} (${login.organisationCode})`,
    },
  };
}

export async function listZenvoicesAdministrations(
  api: ZenvoicesApi,
  input: { credentials: Credentials; settings: Settings },
): Promise<Administration[]> {
  const token = await signIn(api, loginOf(input.settings, input.credentials));
  const administrations = await fetchAdministrations(api, token);
  return administrations.map(({ id, name, code }) => ({ id, name, ...(code ? { code } : {}) }));
}
