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
  } else {
    req.log.error({ err: error }, 'unhandled error');
    http = new HttpError(500, 'internal', 'An unexpected error occurred; it has been logged.');
  }
  res.status(http.status).set(http.headers).json({
    error: http.code,
    message: http.message,
    details: http.details,
    requestId: req.id,
  });
};
