import { ConnectorError } from '../errors';
import { requestTarget } from '../shared/target-request';
import { httpFailure } from '../shared/http-failure';

/**
 * Zenvoices' JSON API. The sign-in is documented: `POST /api/TokenAuth/TokenLogin` answers in the ABP
 * envelope `{result, success, error, unAuthorizedRequest, __abp}`. The shape of the administration list
 * (path and fields, in particular the inbox address) is not in any public copy we found: assumed, hence
 * configurable (see README.md).
 */
export interface ZenvoicesApi {
  baseUrl: string;
  loginPath: string;
  administrationsPath: string;
  timeoutMs: number;
}

export interface ZenvoicesLogin {
  username: string;
  password: string;
  organisationCode: string;
}

export interface ZenvoicesAdministration {
  id: string;
  name: string;
  code?: string;
  /** The administration's `...@to-zenvoices.com` inbox address, when the API shows it. */
  mailbox?: string;
}

interface AbpEnvelope {
  success?: boolean;
  result?: unknown;
  error?: { message?: string; details?: string } | null;
  unAuthorizedRequest?: boolean;
  __abp?: boolean;
}

const TARGET = 'Zenvoices';
/** Statuses ABP gives a refused sign-in: 500 for its user-friendly errors by default, 4xx when configured. */
const REFUSAL_STATUSES = new Set([400, 401, 403, 500]);
/** ABP's message for an unexpected server fault: an outage, whatever the envelope says. */
const ABP_INTERNAL_ERROR = 'An internal error occurred';

async function call(api: ZenvoicesApi, path: string, init: RequestInit, action: string) {
  const url = new URL(path, api.baseUrl).toString();
  const headers = { accept: 'application/json', ...init.headers };
  const response = await requestTarget(TARGET, action, url, { ...init, headers }, api.timeoutMs);
  const { body } = response;
  let envelope: AbpEnvelope | undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') envelope = parsed as AbpEnvelope;
  } catch {
    // Not JSON (a proxy's error page): read by its status.
  }
  return { response, body, envelope };
}

/** Zenvoices' own words from an ABP error: its message and, where given, the details. */
function abpReason(envelope: AbpEnvelope): string | undefined {
  const message = envelope.error?.message?.trim();
  const details = envelope.error?.details?.trim();
  if (!message) return details || undefined;
  return details && details !== message ? `${message} ${details}` : message;
}

/**
 * Signs in; returns the access token (valid 24 hours). ABP reports a refused sign-in as a user-friendly
 * error (`success: false` with `error.message`, HTTP 500 by ABP's default) [3rd]: that is a refusal of
 * the credentials, not an outage, so it is told apart from a bare 5xx by the envelope.
 */
export async function signIn(api: ZenvoicesApi, login: ZenvoicesLogin): Promise<string> {
  const action = 'sign in';
  const { response, body, envelope } = await call(
    api,
    api.loginPath,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        userNameOrEmailAddress: login.username,
        password: login.password,
        tenancyName: login.organisationCode,
      }),
    },
    action,
  );
  const refusal = envelope?.success === false ? abpReason(envelope) : undefined;
  if (refusal && REFUSAL_STATUSES.has(response.status) && !refusal.startsWith(ABP_INTERNAL_ERROR)) {
    throw new ConnectorError('invalid-credentials', `Zenvoices refused the sign-in: ${refusal}`, {
      status: response.status,
    });
  }
  if (!response.ok) {
    const failure = httpFailure(TARGET, action, { status: response.status, headers: response.headers, body });
    // During setup a 401/403 at the sign-in means the credentials, not an expired connection.
    if (failure.kind === 'auth-expired')
      throw new ConnectorError('invalid-credentials', failure.message, { status: response.status });
    throw failure;
  }
  const token = (envelope?.result as { accessToken?: unknown } | undefined)?.accessToken;
  if (typeof token !== 'string' || !token) {
    throw new ConnectorError('unavailable', 'Zenvoices answered the sign-in without an access token.');
  }
  return token;
}

/** Reads one administration from the (assumed) list item shape; undefined when it has no id. */
function administrationOf(item: unknown): ZenvoicesAdministration | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const record = item as Record<string, unknown>;
  const id = record.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const name = text(record.name) ?? String(id);
  const code = text(record.code);
  const mailbox = text(record.emailAddress);
  return { id: String(id), name, ...(code ? { code } : {}), ...(mailbox ? { mailbox } : {}) };
}

/** The administrations the signed-in user can see (assumed contract: ABP `result.items`). */
export async function fetchAdministrations(
  api: ZenvoicesApi,
  accessToken: string,
): Promise<ZenvoicesAdministration[]> {
  const action = 'list the administrations';
  const { response, body, envelope } = await call(
    api,
    api.administrationsPath,
    { headers: { authorization: `Bearer ${accessToken}` } },
    action,
  );
  if (!response.ok) {
    throw httpFailure(TARGET, action, { status: response.status, headers: response.headers, body });
  }
  const result = envelope?.result as { items?: unknown } | undefined;
  if (!Array.isArray(result?.items)) {
    throw new ConnectorError(
      'unavailable',
      'Zenvoices answered the administration list in an unknown shape.',
    );
  }
  return result.items.map(administrationOf).filter((a): a is ZenvoicesAdministration => a !== undefined);
}
