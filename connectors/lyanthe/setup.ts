import { ConnectorError } from '../errors';
import type { Administration, CredentialCheckResult, Credentials, Settings } from '../types';
import { fetchAdministrations, signIn, type LyantheApi } from './client';

function loginOf(settings: Settings, credentials: Credentials) {
  const password = credentials.kind === 'secrets' ? credentials.secrets.password : undefined;
  if (typeof settings.username !== 'string' || !password) {
    throw new ConnectorError(
      'auth-expired',
      'The Lyanthe sign-in of this connection is incomplete. Enter it again.',
    );
  }
  return { username: settings.username, password };
}

/**
 * Credentials step: signs in, and keeps what a delivery needs to address the mailroom (the
 * organisation's mail domain, each administration's mailroom number) as settings: sending a mail
 * then needs no call to Lyanthe, whose API is not public.
 */
export async function checkLyantheCredentials(
  api: LyantheApi,
  values: Record<string, unknown>,
): Promise<CredentialCheckResult> {
  const login = { username: String(values.username ?? ''), password: String(values.password ?? '') };
  const session = await signIn(api, login);
  const administrations = await fetchAdministrations(api, session);
  return {
    secrets: { password: login.password },
    settings: {
      mailDomain: session.mailDomain,
      administrationMailrooms: Object.fromEntries(administrations.map((a) => [a.id, a.mailroomNumber])),
    },
    account: { id: login.username, name: login.username },
  };
}

export async function listLyantheAdministrations(
  api: LyantheApi,
  input: { credentials: Credentials; settings: Settings },
): Promise<Administration[]> {
  const session = await signIn(api, loginOf(input.settings, input.credentials));
  const administrations = await fetchAdministrations(api, session);
  return administrations.map(({ id, name, mailroomNumber }) => ({ id, name, code: mailroomNumber }));
}
