import { ConnectorError, retryAfterMs } from '../errors';

/** The longest piece of a target's answer quoted in a message: enough for its reason, never a whole page. */
const MAX_QUOTED_CHARS = 300;

/**
 * The reason a target gave in an error body: a JSON `message`/`error_description`/`error`/`detail`/`title`
 * field when there is one, else the text itself (trimmed, shortened); undefined for an empty body or HTML.
 */
export function reasonIn(body: string): string | undefined {
  const text = body.trim();
  if (!text || /^<(!doctype|html)/i.test(text)) return undefined;
  let reason = text;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const field = ['message', 'error_description', 'error', 'detail', 'title'].find(
        (key) => typeof record[key] === 'string' && (record[key] as string).trim(),
      );
      if (!field) return undefined;
      reason = (record[field] as string).trim();
    }
  } catch {
    // Not JSON: the text is the reason.
  }
  return reason.length > MAX_QUOTED_CHARS ? `${reason.slice(0, MAX_QUOTED_CHARS)}…` : reason;
}

/**
 * The common reading of a failed HTTP answer for targets without a documented error contract:
 * 401/403 → the connection must be authorized again; 429/503 → retry after Retry-After (back-off when
 * absent); other 5xx → retry; other 4xx → the target refused the document, with its own words.
 * `target` names the service, `action` says what was asked ("file the invoice").
 */
export function httpFailure(
  target: string,
  action: string,
  answer: { status: number; headers: Headers; body: string },
): ConnectorError {
  const { status } = answer;
  const reason = reasonIn(answer.body);
  const because = reason ? `: ${reason}` : '.';
  if (status === 401 || status === 403) {
    return new ConnectorError(
      'auth-expired',
      `${target} no longer accepts this connection's credentials (asked to ${action})${because} ` +
        `Enter the ${target} credentials again to reconnect.`,
      { status },
    );
  }
  const wait = retryAfterMs(answer.headers.get('retry-after'));
  if (status === 429) {
    return new ConnectorError('rate-limited', `${target} asked Relais to slow down (asked to ${action}).`, {
      status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (status >= 500) {
    return new ConnectorError('unavailable', `${target} could not ${action} right now${because}`, {
      status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  return new ConnectorError('rejected', `${target} refused to ${action}${because}`, { status });
}

/** A request that got no answer (refused connection, timeout, TLS failure): retry later. */
export function unreachable(target: string, action: string, error: unknown): ConnectorError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ConnectorError('unavailable', `${target} could not be reached to ${action} (${detail}).`, {
    cause: error,
  });
}
