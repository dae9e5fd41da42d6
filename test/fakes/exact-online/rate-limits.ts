import type { Response } from 'express';
import { now, type ExactFakeState, type QuotaWindow } from './state';

/** Counts one call against the division's windows; a 429 reports only the window that ran out. */
export function countCall(
  state: ExactFakeState,
  division: number,
  response: Response,
): 'daily' | 'minutely' | undefined {
  const time = now(state);
  const windows = [
    {
      name: 'daily',
      prefix: 'X-RateLimit',
      quota: state.dayQuota,
      size: 86_400_000,
      limit: state.limits.daily,
    },
    {
      name: 'minutely',
      prefix: 'X-RateLimit-Minutely',
      quota: state.minuteQuota,
      size: 60_000,
      limit: state.limits.minutely,
    },
  ] as const;
  const current = windows.map((window) => {
    const start = Math.floor(time / window.size) * window.size;
    const stored = window.quota.get(division);
    const quota: QuotaWindow = stored?.start === start ? stored : { start, used: 0 };
    window.quota.set(division, quota);
    return { ...window, quota, reset: start + window.size };
  });
  const setHeaders = (window: (typeof current)[number]) =>
    response.set({
      [`${window.prefix}-Limit`]: String(window.limit),
      [`${window.prefix}-Remaining`]: String(Math.max(0, window.limit - window.quota.used)),
      [`${window.prefix}-Reset`]: String(window.reset),
    });
  const exhausted = current.find((window) => window.quota.used >= window.limit);
  if (exhausted) {
    setHeaders(exhausted);
    return exhausted.name;
  }
  for (const window of current) {
    window.quota.used += 1;
    setHeaders(window);
  }
  return undefined;
}

/** Exact blocks the API key after this many errors per user, division, endpoint and hour. */
export const ERRORS_BEFORE_BLOCK = 10;
const HOUR_MS = 3_600_000;

/**
 * Exact's error block: 400/403/404 answers are counted per division and endpoint in the clock
 * hour; once ten were given, every further call to that endpoint answers 429 until the hour ends.
 * A refused access token (401) is answered before the user and division are known, so never counted.
 * Returns the seconds until the block lifts when the call is blocked, else counts its answer.
 */
export function checkErrorBlock(state: ExactFakeState, key: string, response: Response): number | undefined {
  const time = now(state);
  const start = Math.floor(time / HOUR_MS) * HOUR_MS;
  const stored = state.errorCounts.get(key);
  const window: QuotaWindow = stored?.start === start ? stored : { start, used: 0 };
  state.errorCounts.set(key, window);
  if (window.used >= ERRORS_BEFORE_BLOCK) {
    state.blockedCalls += 1;
    return Math.ceil((start + HOUR_MS - time) / 1000);
  }
  response.on('finish', () => {
    if ([400, 403, 404].includes(response.statusCode)) window.used += 1;
  });
  return undefined;
}
