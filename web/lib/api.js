import { t } from './i18n.js';

/** A refusal of the API: its HTTP status, error code, message, the fields it names (`details`), `reason`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'unknown';
    this.details = Array.isArray(body?.details) ? body.details : [];
    /** The code of a target's refusal (422), to say it in the reader's language; `message` is the target's words. */
    this.reason = typeof body?.reason === 'string' ? body.reason : null;
  }
}

/**
 * Calls Relais's public API with the tenant's key, JSON in and out. `onUnauthorized` runs on a 401 (the
 * key was revoked or mistyped) before the error reaches the caller.
 */
export function createApi({ apiKey, onUnauthorized }) {
  async function call(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${apiKey()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, { error: 'network', message: t('error.network') });
    }
    const text = await response.text();
    let data;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = { error: 'unreadable', message: text.slice(0, 200) };
    }
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
  };
}
