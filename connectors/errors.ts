/**
 * The few kinds of failure workflows branch on; connector clients classify a vendor's answer once,
 * at the edge, into one of them. Messages are for people.
 */
export type ConnectorErrorKind =
  /** Network error, 5xx: retry with back-off. */
  | 'unavailable'
  /** 429 or a quota: retry after `retryAfterMs`. */
  | 'rate-limited'
  /** Tokens expired or revoked at delivery time: the connection needs re-authorization. */
  | 'auth-expired'
  /** Wrong password / key / refused sign-in during setup: the user corrects and submits again. */
  | 'invalid-credentials'
  /** The target refused this document: fail with its reason. */
  | 'rejected'
  /** A setting must change (path not writable, host key changed, ...). */
  | 'misconfigured';

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'rate-limited';
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
