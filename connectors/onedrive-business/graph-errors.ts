import { ConnectorError, retryAfterMs } from '../errors';
import { reasonIn, unreachable } from '../shared/http-failure';

/** Microsoft Graph's error body [doc]: `{"error": {"code": "nameAlreadyExists", "message": "..."}}`. */
export interface GraphError {
  status: number;
  code: string | undefined;
  message: string | undefined;
  retryAfter: string | null;
}

export async function readGraphError(response: Response): Promise<GraphError> {
  const text = await response.text().catch(() => '');
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message.slice(0, 300);
  } catch {
    message = reasonIn(text);
  }
  return { status: response.status, code, message, retryAfter: response.headers.get('retry-after') };
}

/**
 * Retry-After as Graph sends it is whole seconds [doc]; read leniently anyway (decimals, an HTTP date,
 * blanks): anything unreadable or absent leaves the wait to the activity's back-off.
 */
export function lenientRetryAfterMs(header: string | null): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const wait = retryAfterMs(value);
  return wait === undefined ? undefined : Math.ceil(wait);
}

/**
 * One reading of a failed Graph answer. `action` says what was asked ("save Invoice_import/x.xml").
 * 409 nameAlreadyExists is not classified here: the caller compares the existing file first.
 */
export function classifyGraphError(error: GraphError, action: string): ConnectorError {
  const { status, code } = error;
  const why = `${code ?? `HTTP ${status}`}${error.message ? `: ${error.message}` : ''}`;
  const wait = lenientRetryAfterMs(error.retryAfter);
  const retry = { status, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
  if (status === 401) {
    return new ConnectorError(
      'auth-expired',
      `OneDrive no longer accepts this connection's sign-in (${why}). Sign in to OneDrive again to reconnect.`,
      { status },
    );
  }
  if (status === 429)
    return new ConnectorError('rate-limited', `OneDrive asks Relais to slow down (${action}).`, retry);
  if (status === 507 || code === 'quotaLimitReached' || code === 'insufficientStorage') {
    return new ConnectorError(
      'rejected',
      `The OneDrive is full, so ${action} failed. Free up space in OneDrive (or raise its storage), then send the document again.`,
      { status },
    );
  }
  if (status === 409 && code === 'resourceModified') {
    return new ConnectorError(
      'unavailable',
      `OneDrive was changing the folder while Relais tried to ${action}. Trying again.`,
      retry,
    );
  }
  if (status >= 500)
    return new ConnectorError('unavailable', `OneDrive could not ${action} right now (${why}).`, retry);
  if (status === 403) {
    return new ConnectorError(
      'misconfigured',
      `OneDrive refused to ${action}: this account may not write there (${why}). Choose another folder or check its permissions.`,
      { status },
    );
  }
  return new ConnectorError('rejected', `OneDrive refused to ${action} (${why}).`, { status });
}

/** fetch that turns "no answer" into a retryable ConnectorError; bounded so a stalled upload fails the attempt. */
export async function graphFetch(url: string, init: RequestInit, action: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw unreachable('OneDrive', action, error);
  }
}

const REQUEST_TIMEOUT_MS = 120_000;
