/*
 * One HTTP exchange with a web service at a user-typed base URL, for the targets whose contract is
 * assumed (BoCount, Count-e): through the SSRF guard, bounded in time, with every failure classified
 * once (http-failure.ts) and the target's own words kept for the user.
 */
import { ConnectorError } from '../errors';
import { guardedFetch, type GuardedRequestInit } from './guarded-fetch';
import { httpFailure, unreachable } from './http-failure';
import type { TargetAnswer } from './target-request';
import type { NetworkPolicy } from './network-guard';

/** Generous for a 20 MB upload, short enough that a stalled server fails the attempt, not the activity. */
export const USER_URL_TIMEOUT_MS = 120_000;

export type HttpAnswer = TargetAnswer;

/** What names the target and the action in messages ("BoCount could not file the invoice ..."). */
export interface Exchange {
  target: string;
  action: string;
  policy: NetworkPolicy;
  timeoutMs?: number;
}

/**
 * Sends one request and returns the answer whatever its status. A URL the guard refuses rejects with
 * its `misconfigured` ConnectorError; no answer at all (refused connection, timeout, TLS) rejects as
 * `unavailable`.
 */
export async function exchange(
  { target, action, policy, timeoutMs = USER_URL_TIMEOUT_MS }: Exchange,
  url: string,
  init: GuardedRequestInit,
): Promise<HttpAnswer> {
  try {
    const response = await guardedFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }, policy);
    return { status: response.status, headers: response.headers as Headers, body: await response.text() };
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    // undici says only "fetch failed"; its cause names what happened (ENOTFOUND, a certificate refused, ...).
    const cause = (error as Error).cause;
    throw unreachable(target, action, cause instanceof Error ? cause : error);
  }
}

/** The answer when it is a success (2xx), else its classification as a delivery failure. */
export function successOrFailure(how: Exchange, answer: HttpAnswer): HttpAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw httpFailure(how.target, how.action, answer);
}

/** The JSON body of a successful answer; a body that is not JSON means the contract was not met. */
export function jsonOf<T>(how: Exchange, answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new ConnectorError(
      'unavailable',
      `${how.target} answered in an unexpected form (asked to ${how.action}); expected JSON.`,
      { status: answer.status },
    );
  }
}

/**
 * `base` (the user's URL, with or without a path or a trailing slash) joined with a configured path
 * template whose `{name}` placeholders are filled from `values`, each encoded as one path segment.
 */
export function endpoint(base: string, template: string, values: Record<string, string> = {}): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for {${name}} in the path ${template}`);
    return encodeURIComponent(value);
  });
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
