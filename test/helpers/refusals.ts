import assert from 'node:assert/strict';
import type { JsonBody } from './http';
import type { TestRelais, TestTenant } from './relais';
import { rowCounts } from './stored-rows';

export interface RawAnswer {
  status: number;
  /** Parsed JSON, or the text (an HTML page of the OAuth browser legs, or nothing). */
  body: JsonBody;
  headers: Headers;
}

export interface RawRequestOptions {
  contentType?: string;
  tenant?: TestTenant;
  headers?: Record<string, string>;
}

/**
 * Requests for hostile-input tests against the Relais `current()` returns (a test file starts it in
 * `before`): raw bytes with any content type, and a check that a refusal is clean.
 */
export function hostileClient(current: () => TestRelais) {
  /** A raw request as a tenant (the first by default); redirects are not followed. */
  async function send(
    method: string,
    path: string,
    body?: string | Buffer,
    options: RawRequestOptions = {},
  ): Promise<RawAnswer> {
    const relais = current();
    const response = await fetch(`${relais.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${(options.tenant ?? relais.tenant).apiKey}`,
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
        ...options.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /**
   * Sends something hostile and insists on a clear refusal: the expected 4xx with a message for people
   * (and the error code, when given), nothing stored in any tenant table, and the service still healthy.
   */
  async function refused(
    what: string,
    request: () => Promise<RawAnswer>,
    expected: { status: number; error?: string; message?: RegExp },
  ): Promise<RawAnswer> {
    const relais = current();
    const stored = await rowCounts(relais.db.pool);
    const answer = await request();
    const shown = JSON.stringify(answer.body).slice(0, 400);
    assert.equal(answer.status, expected.status, `${what}: ${shown}`);
    if (typeof answer.body === 'object') {
      assert.equal(typeof answer.body.message, 'string', `${what}: a message`);
      if (expected.error) assert.equal(answer.body.error, expected.error, `${what}: ${shown}`);
      if (expected.message) assert.match(answer.body.message, expected.message, what);
    } else if (expected.message) {
      assert.match(answer.body, expected.message, what);
    }
    assert.deepEqual(await rowCounts(relais.db.pool), stored, `${what}: nothing stored`);
    assert.equal((await fetch(`${relais.url}/healthz`)).status, 200, `${what}: the service keeps serving`);
    return answer;
  }

  return {
    send,
    refused,
    /** POST with a body given as text, JSON by default. */
    post: (path: string, body: string, contentType = 'application/json', options: RawRequestOptions = {}) =>
      send('POST', path, body, { ...options, contentType }),
  };
}
