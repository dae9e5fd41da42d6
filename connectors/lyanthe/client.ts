import { ConnectorError } from '../errors';
import { requestTarget } from '../shared/target-request';
import { httpFailure, reasonIn } from '../shared/http-failure';

/**
 * Lyanthe's login and administration list. Lyanthe publishes no API: this whole contract is assumed
 * (written down in README.md), every path configurable, and test/fakes/lyanthe.ts follows it.
 */
export interface LyantheApi {
  baseUrl: string;
  loginPath: string;
  administrationsPath: string;
  timeoutMs: number;
}

export interface LyantheSession {
  token: string;
  /** The organisation's mail domain: the host part of its mailroom addresses. */
  mailDomain: string;
}

export interface LyantheAdministration {
  id: string;
  name: string;
  /** The 10 digits of its mailroom address `<number>-99@<organisation domain>`. */
  mailroomNumber: string;
}

const TARGET = 'Lyanthe';
const MAILROOM_NUMBER = /^\d{10}$/;
const MAIL_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const call = async (api: LyantheApi, path: string, init: RequestInit, action: string) => {
  const url = new URL(path, api.baseUrl).toString();
  const headers = { accept: 'application/json', ...init.headers };
  const response = await requestTarget(TARGET, action, url, { ...init, headers }, api.timeoutMs);
  return { response, body: response.body };
};

function json(body: string, action: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // Handled below.
  }
  throw new ConnectorError('unavailable', `Lyanthe answered in an unknown shape (asked to ${action}).`);
}

/** `POST {loginPath}` `{username, password}` → `{token, organisation: {mailDomain}}`; 401/403 = refused. */
export async function signIn(
  api: LyantheApi,
  login: { username: string; password: string },
): Promise<LyantheSession> {
  const action = 'sign in';
  const { response, body } = await call(
    api,
    api.loginPath,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: login.username, password: login.password }),
    },
    action,
  );
  if (response.status === 401 || response.status === 403) {
    const reason = reasonIn(body);
    throw new ConnectorError(
      'invalid-credentials',
      `Lyanthe refused the sign-in${reason ? `: ${reason}` : '. Check the user name and password.'}`,
      { status: response.status },
    );
  }
  if (!response.ok)
    throw httpFailure(TARGET, action, { status: response.status, headers: response.headers, body });
  const answer = json(body, action);
  const organisation = answer.organisation as { mailDomain?: unknown } | undefined;
  const mailDomain = typeof organisation?.mailDomain === 'string' ? organisation.mailDomain.trim() : '';
  if (typeof answer.token !== 'string' || !answer.token || !MAIL_DOMAIN.test(mailDomain)) {
    throw new ConnectorError('unavailable', 'Lyanthe answered the sign-in without a token or mail domain.');
  }
  return { token: answer.token, mailDomain: mailDomain.toLowerCase() };
}

/** `GET {administrationsPath}` with the bearer token → `{administrations: [{id, name, mailroomNumber}]}`. */
export async function fetchAdministrations(
  api: LyantheApi,
  session: LyantheSession,
): Promise<LyantheAdministration[]> {
  const action = 'list the administrations';
  const { response, body } = await call(
    api,
    api.administrationsPath,
    { headers: { authorization: `Bearer ${session.token}` } },
    action,
  );
  if (!response.ok)
    throw httpFailure(TARGET, action, { status: response.status, headers: response.headers, body });
  const items = json(body, action).administrations;
  if (!Array.isArray(items)) {
    throw new ConnectorError('unavailable', 'Lyanthe answered the administration list in an unknown shape.');
  }
  return items.flatMap((item: unknown) => {
    const record = (item ?? {}) as Record<string, unknown>;
    const id = typeof record.id === 'number' || typeof record.id === 'string' ? String(record.id) : '';
    const mailroomNumber = String(record.mailroomNumber ?? '');
    // An administration without a valid mailroom number cannot receive mail: not offered.
    if (!id || !MAILROOM_NUMBER.test(mailroomNumber)) return [];
    const name = typeof record.name === 'string' && record.name.trim() ? record.name.trim() : id;
    return [{ id, name, mailroomNumber }];
  });
}
