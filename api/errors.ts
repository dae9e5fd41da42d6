import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error with an HTTP status and a message meant for the API's caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
    /** More of the answer's body; e.g. `reason`, the code of a target's refusal (422), for the reader to translate. */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Parses `value` with `schema`, or throws a 400 naming every invalid field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = zodDetails(parsed.error);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new HttpError(400, 'invalid-request', `Invalid ${where}: ${summary}`, details);
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not-found', `No route for ${req.method} ${req.path}`));
};

/** PostgreSQL unreachable or refusing connections (as opposed to a query's own error). */
export function isDatabaseDown(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // Node's socket errors, and PostgreSQL's connection exceptions (08) and shutdowns (57P01-57P03).
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code))
      return true;
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

/** 503 with Retry-After, naming PostgreSQL as the dependency that is down. */
export const postgresUnavailable = (what = 'nothing was done') =>
  new HttpError(
    503,
    'dependency-unavailable',
    `postgres is unavailable: ${what}. Send the request again later.`,
    [{ path: 'dependency', message: 'postgres' }],
    { 'Retry-After': '30' },
  );

/** Every error leaves as `{error, message, details}`; unexpected ones are logged and hidden. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let http: HttpError;
  if (error instanceof HttpError) http = error;
  else if (error?.type === 'entity.parse.failed') {
    http = new HttpError(400, 'invalid-json', `The request body is not valid JSON: ${error.message}`);
  } else if (error?.type === 'entity.too.large') {
    http = new HttpError(
      413,
      'payload-too-large',
      `The request body exceeds the limit of ${error.limit} bytes`,
    );
  } else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
    http = new HttpError(error.status, 'bad-request', String(error.message));
  } else if (isDatabaseDown(error)) {
    req.log.error({ err: error }, 'postgres unavailable');
    http = postgresUnavailable();
  } else {
    req.log.error({ err: error }, 'unhandled error');
    http = new HttpError(500, 'internal', 'An unexpected error occurred; it has been logged.');
  }
  res
    .status(http.status)
    .set(http.headers)
    .json({
      error: http.code,
      message: http.message,
      details: http.details,
      ...http.extra,
      requestId: req.id,
    });
};
