/*
 * One signed POST of an event to a tenant's endpoint, through the SSRF guard (https only, public
 * addresses unless RELAIS_NETWORK_ALLOW admits others, every redirect checked again). The answer is
 * classified for the workflow: 2xx delivered, anything else (or no answer) retried.
 */
import { Webhook } from 'standardwebhooks';
import { retryAfterMs } from '../connectors/errors';
import { guardedFetch } from '../connectors/shared/guarded-fetch';
import type { NetworkPolicy } from '../connectors/shared/network-guard';
import type { WebhookBody } from './events';

/** Standard Webhooks' receivers answer within seconds; one that does not counts as a failed attempt. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of a refusal's body is kept in the attempt's error (the endpoint's own words, for its owner). */
const keptBodyChars = 200;

export interface WebhookAnswer {
  delivered: boolean;
  /** The HTTP status; null when nothing answered (refused, timed out, refused by the SSRF guard). */
  statusCode: number | null;
  /** What went wrong, in a line; null on a 2xx. */
  error: string | null;
  /** The endpoint's Retry-After (429, 503), in milliseconds. */
  retryAfterMs?: number;
}

/** The first characters of a body, read no further than that (a huge answer is not held in memory). */
async function bodyStart(body: FetchedResponse['body']): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < keptBodyChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, keptBodyChars);
}

/** Why a request got no answer, in a line (undici says "fetch failed"; its cause says what). */
function noAnswer(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') {
    return `The endpoint did not answer within ${WEBHOOK_TIMEOUT_MS / 1000} seconds.`;
  }
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  const what = cause?.code ?? cause?.message ?? (error as Error).message;
  return `The endpoint could not be reached: ${what}.`;
}

type FetchedResponse = Awaited<ReturnType<typeof guardedFetch>>;

/** Signs (headers webhook-id, webhook-timestamp, webhook-signature) and posts `body` as JSON. */
export async function postSignedEvent(input: {
  url: string;
  secret: string;
  /** The event's id: the same on every attempt and resend, so a receiver can drop repeats. */
  messageId: string;
  body: WebhookBody;
  policy: NetworkPolicy;
  userAgent: string;
  now?: Date;
}): Promise<WebhookAnswer> {
  const payload = JSON.stringify(input.body);
  const now = input.now ?? new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(input.secret).sign(input.messageId, now, payload),
  };
  let response: FetchedResponse;
  try {
    response = await guardedFetch(
      input.url,
      { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) },
      input.policy,
    );
  } catch (error) {
    // The guard's refusal (a ConnectorError) says in words which address was refused and why.
    const refused = (error as { name?: string }).name === 'ConnectorError';
    return {
      delivered: false,
      statusCode: null,
      error: refused ? (error as Error).message : noAnswer(error),
    };
  }
  const delivered = response.status >= 200 && response.status < 300;
  const said = await bodyStart(response.body).catch(() => '');
  if (delivered) return { delivered, statusCode: response.status, error: null };
  const wait = retryAfterMs(response.headers.get('retry-after'));
  return {
    delivered,
    statusCode: response.status,
    error: `The endpoint answered HTTP ${response.status}${said ? `: ${said}` : '.'}`,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  };
}
