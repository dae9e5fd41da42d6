import { ConnectorError } from '../errors';
import type { SoapFault } from '../shared/soap';

/*
 * What Yuki's SOAP faults mean. Yuki documents that errors are SOAP faults but not their codes or
 * texts, so the faults are recognised by what their message talks about [assume]; the contract fake
 * (test/fakes/yuki.ts) answers with texts of this shape. A fault not recognised is Yuki refusing the
 * request with its own words.
 */

export type YukiFaultKind = 'quota' | 'session' | 'access-key' | 'administration' | 'other';

const QUOTA =
  /(maximum|max\.?)\s+(number\s+of\s+)?(web\s*service\s+)?(calls|requests)|calls?\s+per\s+day|quota/i;
const SESSION = /session/i;
const ACCESS_KEY = /access\s*key|authenticat/i;
const ADMINISTRATION = /administration/i;

export function yukiFaultKind(fault: SoapFault): YukiFaultKind {
  if (QUOTA.test(fault.message)) return 'quota';
  if (SESSION.test(fault.message)) return 'session';
  // Before the key: "administration … not accessible with this access key" is about the administration.
  if (ADMINISTRATION.test(fault.message)) return 'administration';
  if (ACCESS_KEY.test(fault.message)) return 'access-key';
  return 'other';
}

/** Yuki's own words, shortened: enough for its reason, never a whole page. */
export function quoted(fault: SoapFault): string {
  const text = fault.message.replace(/\s+/g, ' ').trim() || `a SOAP fault (${fault.code})`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export const BRUSSELS = 'Europe/Brussels';

/**
 * The next local midnight in `timeZone` after `now` (epoch ms): Yuki counts calls per domain per day
 * [doc], and the day is taken to turn at midnight in Belgium [assume].
 */
export function nextMidnight(now: number, timeZone = BRUSSELS): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .formatToParts(new Date(now))
      .map((part) => [part.type, part.value]),
  );
  const tomorrowUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + 1);
  // The zone's offset at that midnight (it may differ from now's around a DST change): one correction.
  return tomorrowUtc - offsetMs(tomorrowUtc, timeZone);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant` (ms). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - instant;
}

/** The daily quota is spent: retry after the next midnight in Belgium. */
export function quotaExceeded(fault: SoapFault, action: string, now: number): ConnectorError {
  return new ConnectorError(
    'rate-limited',
    `Yuki refused to ${action}: the domain has used its web-service calls for today (${quoted(fault)}). ` +
      'Relais tries again after midnight (Belgian time).',
    { retryAfterMs: Math.max(1_000, nextMidnight(now) - now) },
  );
}

/** A fault that is none of the ones the session layer handles, as a ConnectorError. */
export function faultError(fault: SoapFault, action: string): ConnectorError {
  const kind = yukiFaultKind(fault);
  if (kind === 'administration') {
    return new ConnectorError(
      'misconfigured',
      `Yuki refused to ${action}: ${quoted(fault)}. The administration chosen for this connection is not ` +
        'reachable with its API key: set the connection up again and choose the administration from the list.',
    );
  }
  if (kind === 'session') {
    return new ConnectorError(
      'unavailable',
      `Yuki refused the session it had just opened (asked to ${action}): ${quoted(fault)}.`,
    );
  }
  return new ConnectorError('rejected', `Yuki refused to ${action}: ${quoted(fault)}.`);
}
