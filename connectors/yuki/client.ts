import { ConnectorError } from '../errors';
import { unreachable } from '../shared/http-failure';
import { readSoapAnswer, soapAction, soapEnvelope, type SoapAnswer, type SoapValue } from '../shared/soap';
import { quotaExceeded, quoted, yukiFaultKind } from './faults';

/** Yuki's SOAP namespace; also the prefix of every SOAPAction [doc]. */
export const YUKI_NAMESPACE = 'http://www.theyukicompany.com/';

export type YukiService = 'Accounting' | 'Archive';

/** Where one connection's calls go: the country host's base URL (`…/ws`). */
export interface YukiEndpoint {
  baseUrl: string;
  timeoutMs: number;
  now?: () => number;
}

export interface YukiCall {
  service: YukiService;
  method: string;
  params: ReadonlyArray<readonly [string, SoapValue]>;
  /** What was asked, for messages: "upload invoice V01/15000001". */
  action: string;
}

/**
 * One SOAP call. Transport failures and answers that are not SOAP are `unavailable`; the daily quota
 * fault is `rate-limited` until midnight in Belgium whichever call meets it; other faults are returned
 * for the caller to read (a session fault means "authenticate again", not "fail").
 */
export async function callYuki(endpoint: YukiEndpoint, call: YukiCall): Promise<SoapAnswer> {
  const url = `${endpoint.baseUrl}/${call.service}.asmx`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: soapAction(YUKI_NAMESPACE, call.method),
      },
      body: soapEnvelope(YUKI_NAMESPACE, call.method, call.params),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw unreachable('Yuki', call.action, error);
  }
  let answer: SoapAnswer;
  try {
    answer = readSoapAnswer(text);
  } catch (error) {
    // ASMX answers faults with 500 and a SOAP body; anything else (a proxy's page, a truncated body) is
    // the service being unwell, not Yuki's verdict on the request.
    const detail = error instanceof Error ? error.message : String(error);
    throw new ConnectorError(
      'unavailable',
      `Yuki answered HTTP ${response.status} without a readable SOAP answer when asked to ${call.action} (${detail}).`,
      { status: response.status },
    );
  }
  if ('fault' in answer && yukiFaultKind(answer.fault) === 'quota') {
    throw quotaExceeded(answer.fault, call.action, (endpoint.now ?? Date.now)());
  }
  if ('result' in answer && response.status >= 400) {
    throw new ConnectorError(
      'unavailable',
      `Yuki answered HTTP ${response.status} when asked to ${call.action}.`,
      {
        status: response.status,
      },
    );
  }
  return answer;
}

/**
 * `Authenticate(accessKey)` → session id. An unknown key (a fault about the key, or an empty session
 * id) is the key's problem: `invalid-credentials` while setting up, `auth-expired` for a connection
 * that worked before (the key was revoked: the connection needs a new key).
 */
export async function authenticate(
  endpoint: YukiEndpoint,
  apiKey: string,
  phase: 'setup' | 'delivery',
): Promise<string> {
  const action = 'sign in with the API key';
  const answer = await callYuki(endpoint, {
    service: 'Archive',
    method: 'Authenticate',
    params: [['accessKey', apiKey]],
    action,
  });
  const sessionId = 'result' in answer ? answer.result.textContent?.trim() : undefined;
  if (sessionId) return sessionId;
  const reason = 'fault' in answer ? quoted(answer.fault) : 'Yuki opened no session for this key';
  if ('fault' in answer && !['access-key', 'other'].includes(yukiFaultKind(answer.fault))) {
    throw new ConnectorError('unavailable', `Yuki could not ${action}: ${reason}.`);
  }
  if (phase === 'setup') {
    throw new ConnectorError(
      'invalid-credentials',
      `Yuki refused the API key: ${reason}. Copy the key of type Domain from Yuki (Settings → Web services), ` +
        'and check that the country matches your Yuki (yukiworks.be or yukiworks.nl).',
    );
  }
  throw new ConnectorError(
    'auth-expired',
    `Yuki no longer accepts this connection's API key: ${reason}. Enter a valid Yuki API key to reconnect.`,
  );
}
