import type { Request } from 'express';
import { uuidSchema } from '../platform/ids';
import { HttpError } from './errors';

/**
 * Every `:id` path parameter (connections, deliveries) is a UUID, checked by this one schema before any
 * query: PostgreSQL refuses a malformed uuid with an error (22P02) that would otherwise become a 500.
 */
export const idParamSchema = uuidSchema;

/**
 * The `:id` of the request, or a 404 worded like the one for an unknown id: a malformed id is simply not
 * found (a 400 would tell ids that cannot exist from ids that exist for another tenant only).
 */
export function idParam(req: Request, notFoundMessage: string): string {
  const parsed = idParamSchema.safeParse(req.params.id);
  if (!parsed.success) throw new HttpError(404, 'not-found', notFoundMessage);
  return parsed.data.toLowerCase();
}
