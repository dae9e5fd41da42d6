import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/**
 * The routes after the document intake take JSON only. A body of another type would otherwise reach
 * the handlers as nothing at all and be refused with a puzzling "expected object, received undefined".
 */
export const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  // No body (a POST that only names its action sends Content-Length: 0), or a JSON one.
  if (req.headers['content-length'] === '0' || req.is('application/json') !== false) return next();
  next(
    new HttpError(
      415,
      'unsupported-media-type',
      'Send the request body as JSON, with the header Content-Type: application/json.',
    ),
  );
};
