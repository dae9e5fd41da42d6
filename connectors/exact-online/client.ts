import { ConnectorError, retryAfterMs } from '../errors';

/** One of Exact's two quota windows, as its response headers report it. */
export interface RateWindow {
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window starts again. */
  resetAt: number;
}

/** Exact's quotas per app and per division; a 429 names only the window that ran out. */
export interface RateLimits {
  daily?: RateWindow;
  minutely?: RateWindow;
}

export interface ExactSession {
  /** The country site, e.g. https://start.exactonline.be. */
  baseUrl: string;
  accessToken: string;
  /** Counts Exact's error answers per division and endpoint; a shared default when omitted. */
  breaker?: ErrorBreaker;
}

/**
 * The answers counted towards Exact's block of the API key (10 per user, division, endpoint and hour).
 * Not 401: a refused token is answered before Exact knows the user [assume], and the delivery deals
 * with it by one serialized refresh; counting it would pause a division for an hour after a burst of
 * deliveries met a token revoked early.
 */
const COUNTED_ERRORS = new Set([400, 403, 404]);

export interface ErrorBreaker {
  /** Throws `rate-limited` while the endpoint has had `threshold` errors within the window. */
  check(key: string, action: string): void;
  record(key: string, status: number): void;
}

/**
 * Stops calling an endpoint well before Exact blocks the API key: after `threshold` (5) error answers
 * for one division+endpoint within a sliding `windowMs` (an hour), calls fail at once as `rate-limited`
 * until the oldest of those errors is older than the window.
 */
export function createErrorBreaker(
  options: { threshold?: number; windowMs?: number; now?: () => number } = {},
): ErrorBreaker {
  const threshold = options.threshold ?? 5;
  const windowMs = options.windowMs ?? 3_600_000;
  const clock = options.now ?? Date.now;
  const errors = new Map<string, number[]>();
  const recent = (key: string): number[] => {
    const since = clock() - windowMs;
    const kept = (errors.get(key) ?? []).filter((time) => time > since);
    if (kept.length) errors.set(key, kept);
    else errors.delete(key);
    return kept;
  };
  return {
    check(key, action) {
      const times = recent(key);
      if (times.length < threshold) return;
      const retryAfterMs = Math.max(0, times[times.length - threshold]! + windowMs - clock());
      throw new ConnectorError(
        'rate-limited',
        `Exact Online refused several requests to ${action} within the hour; Relais paused these requests ` +
          "to avoid Exact's block of its API key after 10 errors, and will try again later.",
        { retryAfterMs },
      );
    },
    record(key, status) {
      if (!COUNTED_ERRORS.has(status)) return;
      errors.set(key, [...recent(key), clock()]);
    },
  };
}

const defaultBreaker = createErrorBreaker();

/** Exact counts errors per division and endpoint: the path below /api/v1 without its query. */
function breakerKey(url: URL): string {
  return `${url.origin}${url.pathname.replace(/^.*?\/api\/v1\//, '/')}`;
}

export interface ExactRequest {
  method?: 'GET' | 'POST';
  /** Below /api/v1, e.g. `123/documents/Documents`; or `url`, a `__next` link Exact gave. */
  path?: string;
  url?: string;
  query?: Record<string, string>;
  body?: unknown;
  /** What the call does, for messages: "Exact Online refused to <action>: ...". */
  action: string;
}

export interface ExactResponse<T> {
  status: number;
  /** The content of Exact's `{"d": ...}` envelope. */
  data: T;
  rateLimits: RateLimits;
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * One call to Exact's REST API. Always asks for JSON (without `Accept: application/json` Exact answers
 * XML), unwraps the `d` envelope, reports the rate-limit headers so callers can throttle, and turns
 * every failure into a ConnectorError.
 */
export async function exactRequest<T>(
  session: ExactSession,
  request: ExactRequest,
): Promise<ExactResponse<T>> {
  const url = requestUrl(session, request);
  const breaker = session.breaker ?? defaultBreaker;
  const key = breakerKey(url);
  breaker.check(key, request.action);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${session.accessToken}`,
  };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  // A create answers with the new entity's values (its ID above all) only when asked to.
  if (request.method === 'POST') headers.Prefer = 'return=representation';
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable(error);
  }
  const rateLimits = readRateLimits(response.headers);
  const text = await response.text().catch((error: unknown) => {
    throw unreachable(error);
  });
  breaker.record(key, response.status);
  if (!response.ok) throw apiFailure(response, text, rateLimits, request.action);
  const envelope = parseJson(text) as { d?: T } | undefined;
  if (envelope?.d === undefined) {
    throw unexpectedAnswer(request.action, response.status);
  }
  return { status: response.status, data: envelope.d, rateLimits };
}

interface ExactList<T> {
  results: T[];
  __next?: string;
}

/** Reads every page of a list: Exact returns 60 rows at a time and links the next page in `__next`. */
export async function exactList<T>(
  session: ExactSession,
  request: Omit<ExactRequest, 'method' | 'body' | 'url'>,
): Promise<{ results: T[]; rateLimits: RateLimits }> {
  const results: T[] = [];
  let page = await exactRequest<ExactList<T>>(session, request);
  for (;;) {
    if (!Array.isArray(page.data.results)) {
      throw unexpectedAnswer(request.action);
    }
    results.push(...page.data.results);
    const next = page.data.__next;
    if (!next) return { results, rateLimits: page.rateLimits };
    page = await exactRequest<ExactList<T>>(session, { url: next, action: request.action });
  }
}

export interface ExactMe {
  UserID: string;
  FullName: string;
  CurrentDivision: number;
}

/** The signed-in user, the only call without a division in its path. */
export async function fetchMe(session: ExactSession): Promise<ExactMe> {
  const { results } = await exactList<ExactMe>(session, {
    path: 'current/Me',
    query: { $select: 'UserID,FullName,CurrentDivision' },
    action: 'tell who is signed in',
  });
  const me = results[0];
  if (!me)
    throw new ConnectorError('unavailable', 'Exact Online did not say who is signed in. Try again later.');
  return me;
}

export interface ExactDivision {
  Code: number;
  Description: string;
  /** The company code users see in Exact's list of companies. */
  Hid?: number | null;
  VATNumber?: string | null;
}

/**
 * The divisions (administrations) the user shared with our app: system/Divisions lists those
 * accessible to the signed-in user, within the consent given at sign-in. The path needs a division
 * the user can reach; any will do.
 */
export async function listDivisions(session: ExactSession, viaDivision: number): Promise<ExactDivision[]> {
  const { results } = await exactList<ExactDivision>(session, {
    path: `${viaDivision}/system/Divisions`,
    query: { $select: 'Code,Description,Hid,VATNumber' },
    action: 'list your administrations',
  });
  return results;
}

function requestUrl(session: ExactSession, request: ExactRequest): URL {
  if (request.url) {
    const next = new URL(request.url);
    // A bearer token goes to Exact's own site only, never to a host a response names.
    if (next.origin !== new URL(session.baseUrl).origin) {
      throw new ConnectorError(
        'unavailable',
        `Exact Online linked to another site when asked to ${request.action}.`,
      );
    }
    return next;
  }
  const url = new URL(`${session.baseUrl}/api/v1/${request.path ?? ''}`);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  return url;
}

export function readRateLimits(headers: Headers): RateLimits {
  const window = (prefix: string): RateWindow | undefined => {
    const limit = Number(headers.get(`${prefix}-Limit`));
    const remaining = Number(headers.get(`${prefix}-Remaining`));
    const resetAt = Number(headers.get(`${prefix}-Reset`));
    const present = [`${prefix}-Limit`, `${prefix}-Remaining`, `${prefix}-Reset`].every((name) =>
      headers.has(name),
    );
    if (!present || ![limit, remaining, resetAt].every(Number.isFinite)) return undefined;
    return { limit, remaining, resetAt };
  };
  const rateLimits: RateLimits = {};
  const daily = window('X-RateLimit');
  const minutely = window('X-RateLimit-Minutely');
  if (daily) rateLimits.daily = daily;
  if (minutely) rateLimits.minutely = minutely;
  return rateLimits;
}

/** How long until Exact takes calls again: until the exhausted window (the later one if both are) resets. */
export function rateLimitDelay(rateLimits: RateLimits, retryAfter: string | null, now = Date.now()): number {
  const windows = [rateLimits.minutely, rateLimits.daily].filter((window) => window !== undefined);
  const exhausted = windows.filter((window) => window.remaining <= 0);
  const resets = (exhausted.length ? exhausted : windows).map((window) => window.resetAt);
  if (resets.length) return Math.max(0, Math.max(...resets) - now);
  return retryAfterMs(retryAfter, now) ?? 60_000;
}

/** Exact's error body: `{"error": {"code": "", "message": {"lang": "", "value": "..."}}}`. */
export function exactErrorMessage(text: string): string | undefined {
  const body = parseJson(text) as { error?: { message?: { value?: unknown } | string } } | undefined;
  const message = body?.error?.message;
  const value = typeof message === 'string' ? message : message?.value;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function apiFailure(
  response: Response,
  text: string,
  rateLimits: RateLimits,
  action: string,
): ConnectorError {
  const status = response.status;
  const reason = exactErrorMessage(text);
  const because = reason ? `: ${reason}` : '.';
  if (status === 401) {
    return new ConnectorError(
      'auth-expired',
      'Exact Online no longer accepts the sign-in of this connection (it expired, was revoked, or a newer ' +
        'sign-in replaced it). Sign in to Exact Online again to reconnect.',
      { status },
    );
  }
  if (status === 429) {
    return new ConnectorError(
      'rate-limited',
      `Exact Online's limit of API calls for this administration is reached (asked to ${action}); ` +
        'Relais will try again when the limit resets.',
      { status, retryAfterMs: rateLimitDelay(rateLimits, response.headers.get('Retry-After')) },
    );
  }
  if (status >= 500) {
    return new ConnectorError('unavailable', `Exact Online could not ${action} right now${because}`, {
      status,
    });
  }
  if (status === 403 || status === 404) {
    return new ConnectorError(
      'misconfigured',
      `Exact Online does not let this connection ${action}${because} Check that the administration is still ` +
        'shared with Relais and that the Exact user may manage documents.',
      { status },
    );
  }
  return new ConnectorError('rejected', `Exact Online refused to ${action}${because}`, { status });
}

function unexpectedAnswer(action: string, status?: number): ConnectorError {
  return new ConnectorError(
    'unavailable',
    `Exact Online gave an unexpected answer when asked to ${action}.`,
    {
      status,
    },
  );
}

function unreachable(error: unknown): ConnectorError {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.name : 'network error';
  return new ConnectorError(
    'unavailable',
    `Exact Online could not be reached (${detail}). Relais will try again.`,
    {
      cause: error,
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
