import { ConnectorError } from '../errors';
import { httpFailure, unreachable } from '../shared/http-failure';

/**
 * Onea Transfer's two REST calls. Onea documents the paths and bodies, not its errors, limits or
 * statuses other than DONE: failures are read conservatively by `httpFailure` (see README.md).
 */
export interface OneaConfig {
  /** `https://transfer.onea.be/restv1` unless configured (tests point it at the contract fake). */
  apiUrl: string;
}

/** Onea's mailboxes: purchase invoices are `incoming` to the dossier, sales invoices `outgoing`. */
export type OneaDirection = 'incoming' | 'outgoing';

export interface OneaStatus {
  status: string;
  /** Onea's id of the booked document, set once the status is DONE. */
  id?: string | number | null;
  message?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const TARGET = 'Onea';

async function call(url: string, init: RequestInit, action: string): Promise<unknown> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    body = await response.text();
  } catch (error) {
    throw unreachable(TARGET, action, error);
  }
  if (!response.ok)
    throw httpFailure(TARGET, action, { status: response.status, headers: response.headers, body });
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // A 2xx that is not JSON: a proxy's page or a changed API; retrying may meet the real answer.
    throw new ConnectorError(
      'unavailable',
      `${TARGET} answered an unexpected response (asked to ${action}).`,
      {
        status: response.status,
      },
    );
  }
}

/** Files the UBL at Onea; returns the uuid Onea gives the transfer. */
export async function postEInvoice(
  config: OneaConfig,
  input: { apiKey: string; direction: OneaDirection; ubl: Buffer },
): Promise<string> {
  const action = 'accept the invoice';
  const answer = (await call(
    `${config.apiUrl}/einvoice/${input.direction}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ apiKey: input.apiKey, eInvoiceData: input.ubl.toString('base64') }),
    },
    action,
  )) as { uuid?: unknown } | null;
  if (typeof answer?.uuid !== 'string' || !answer.uuid) {
    // Onea may have filed it: an unexpected answer is not retried blindly (that could file it twice).
    throw new ConnectorError(
      'rejected',
      `${TARGET} answered without a transfer reference (asked to ${action}); check the dossier in Onea before retrying.`,
    );
  }
  return answer.uuid;
}

/** Where Onea stands with a transfer. The status call takes no API key: the uuid names it. [doc] */
export async function transferStatus(config: OneaConfig, uuid: string): Promise<OneaStatus> {
  const answer = (await call(
    `${config.apiUrl}/einvoice/status/${encodeURIComponent(uuid)}`,
    { method: 'GET', headers: { accept: 'application/json' } },
    'report the status of the invoice',
  )) as Partial<OneaStatus> | null;
  if (typeof answer?.status !== 'string') {
    throw new ConnectorError('unavailable', `${TARGET} answered a status without a status field.`);
  }
  return answer as OneaStatus;
}
