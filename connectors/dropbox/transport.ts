import { Dropbox, DropboxResponseError } from 'dropbox';
import { ConnectorError, retryAfterMs } from '../errors';
import type { DropboxConfig } from './config';

/** Generous for a 20 MB upload, short enough that a stalled connection fails the attempt instead of the activity. */
const REQUEST_TIMEOUT_MS = 120_000;

export type DropboxFetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * The fetch every Dropbox call goes through (the SDK's and our token calls). The SDK always builds
 * https://api.dropboxapi.com and https://content.dropboxapi.com URLs, so this maps those origins to the
 * configured base URLs (the fake in tests), bounds each request in time, and turns a failure to reach
 * Dropbox into a ConnectorError at once.
 */
export function createDropboxFetch(config: DropboxConfig): DropboxFetch {
  const baseUrlByOrigin = new Map([
    ['https://api.dropboxapi.com', config.apiUrl],
    ['https://content.dropboxapi.com', config.contentUrl],
  ]);
  return async (url, init) => {
    const parsed = new URL(url);
    const baseUrl = baseUrlByOrigin.get(parsed.origin);
    // Only the two API hosts are ever called; anything else would be a bug, not a Dropbox outage.
    if (baseUrl === undefined) throw new Error(`Refusing to call ${parsed.origin}: not a Dropbox API host`);
    try {
      return await fetch(`${baseUrl}${parsed.pathname}${parsed.search}`, {
        ...init,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? 'it did not answer in time'
          : 'no connection';
      throw new ConnectorError(
        'unavailable',
        `Dropbox could not be reached (${reason}). Trying again later.`,
        { cause: error },
      );
    }
  };
}

/** An SDK client acting with one access token; refreshing is the activity layer's job, not the SDK's. */
export function createDropboxClient(config: DropboxConfig, accessToken: string): Dropbox {
  return new Dropbox({ accessToken, fetch: createDropboxFetch(config) });
}

/** 429 and 5xx mean the same on every Dropbox host: come back later, after Retry-After when it is given. */
export function transientError(
  status: number,
  retryAfterMs: number | undefined,
  reason: string,
  cause?: unknown,
): ConnectorError | undefined {
  const options = { status, retryAfterMs, cause };
  if (status === 429) {
    return new ConnectorError('rate-limited', `Dropbox asks us to slow down (${reason}).`, options);
  }
  if (status >= 500) {
    return new ConnectorError(
      'unavailable',
      `Dropbox is having trouble (HTTP ${status}). Trying again later.`,
      options,
    );
  }
  return undefined;
}

/** Dropbox's `error_summary` is tag/tag/... followed by dots of variable length ("path/conflict/file/.."). */
export function errorTags(error: unknown): string[] {
  if (!(error instanceof DropboxResponseError)) return [];
  const body = error.error as { error_summary?: unknown } | undefined;
  const summary = typeof body?.error_summary === 'string' ? body.error_summary : '';
  return summary.split('/').filter((tag) => tag !== '' && !/^\.+$/.test(tag));
}

/**
 * Classifies a failed API call (users/*, files/*) once, at the edge. `action` completes the sentence
 * "Dropbox refused to ..." (e.g. "save /Invoice_import/.../x.xml").
 */
export function classifyApiError(error: unknown, action: string): Error {
  if (error instanceof ConnectorError || !(error instanceof DropboxResponseError)) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const status = error.status;
  const tags = errorTags(error);
  const tagText = tags.join('/');
  const options = { status, cause: error };
  const transient = transientError(status, retryAfter(error), tagText || 'too_many_requests', error);
  if (transient) return transient;
  if (tags.includes('too_many_write_operations')) {
    // Parallel writes into one account also come back as a 409 route error (path/too_many_write_operations),
    // with the same Retry-After as the 429: contention, never a refusal of the document.
    return new ConnectorError(
      'rate-limited',
      'Dropbox is busy with other changes in this account (too_many_write_operations). Trying again later.',
      { ...options, retryAfterMs: retryAfter(error) },
    );
  }
  if (status === 401) {
    if (tags[0] === 'user_suspended') {
      return new ConnectorError(
        'misconfigured',
        'The Dropbox account of this connection is suspended.',
        options,
      );
    }
    const why =
      tags[0] === 'missing_scope' ? 'it lacks a permission Relais needs' : `${tagText || 'unauthorized'}`;
    return new ConnectorError(
      'auth-expired',
      `Dropbox no longer accepts this connection's sign-in (${why}). Sign in to Dropbox again to reconnect.`,
      options,
    );
  }
  if (tags.includes('insufficient_space')) {
    return new ConnectorError(
      'misconfigured',
      'The Dropbox account is full. Free up space in Dropbox (or upgrade the plan), then send the document again.',
      options,
    );
  }
  if (tags.includes('no_write_permission') || tags.includes('team_folder') || status === 403) {
    return new ConnectorError(
      'misconfigured',
      `Dropbox refused to ${action}: this account may not write there (${tagText || `HTTP ${status}`}).`,
      options,
    );
  }
  if (tags.includes('content_hash_mismatch')) {
    return new ConnectorError(
      'unavailable',
      'The file was damaged on its way to Dropbox. Trying again.',
      options,
    );
  }
  const detail = tagText || (typeof error.error === 'string' ? error.error.slice(0, 300) : `HTTP ${status}`);
  return new ConnectorError('rejected', `Dropbox refused to ${action} (${detail}).`, options);
}

/** Retry-After is in seconds (on 429 and some 503); the 429 body repeats it as `error.retry_after`. */
function retryAfter(error: DropboxResponseError<unknown>): number | undefined {
  const headers = error.headers as Headers | undefined;
  const fromHeader = retryAfterMs(headers?.get?.('retry-after'));
  if (fromHeader !== undefined) return fromHeader;
  const seconds = (error.error as { error?: { retry_after?: unknown } } | undefined)?.error?.retry_after;
  return typeof seconds === 'number' ? seconds * 1000 : undefined;
}
