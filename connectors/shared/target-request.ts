import { ConnectorError } from '../errors';
import { httpFailure, reasonIn, unreachable } from './http-failure';

/** A whole answer of a target, read as text: what `httpFailure` and the clients' parsers take. */
export interface TargetAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Long enough for a 20 MB upload, short enough that a stalled connection ends the attempt, not the activity. */
const REQUEST_TIMEOUT_MS = 120_000;

/** A target's answer with `ok` (2xx), as clients branching on success read it. */
export type CheckedAnswer = TargetAnswer & { ok: boolean };

/**
 * One HTTP request to a target whose base URL comes from our configuration (not user input, so no
 * SSRF guard). A request that gets no answer (refused, timed out, TLS) becomes `unreachable` at once;
 * every answer, whatever its status, is returned for the client to read.
 */
export async function requestTarget(
  target: string,
  action: string,
  url: string,
  init: RequestInit,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<CheckedAnswer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return {
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      body: await response.text(),
    };
  } catch (error) {
    throw unreachable(target, action, error);
  }
}

/**
 * A refusal at the credentials step: the person corrects the values and submits again, so any 4xx is
 * `invalid-credentials` quoting the target; a 5xx says the target is down and a 429 that it is busy (the
 * step still ends, 422).
 */
export function credentialRefusal(target: string, answer: TargetAnswer): ConnectorError {
  // The target's sentence goes inside ours: without its own final period.
  const reason = reasonIn(answer.body)?.replace(/\.+$/, '');
  if (answer.status === 429) return httpFailure(target, 'check these details', answer);
  if (answer.status >= 500) {
    return new ConnectorError(
      'unavailable',
      `${target} could not check these details right now${reason ? `: ${reason}` : ''}. Try again later.`,
      { status: answer.status },
    );
  }
  return new ConnectorError(
    'invalid-credentials',
    `${target} refused these details${reason ? `: ${reason}` : ` (HTTP ${answer.status})`}. Check them and try again.`,
    { status: answer.status },
  );
}
