import type { RequestHandler } from 'express';
import type pg from 'pg';
import { findTenantByApiKey, type Tenant } from '../db/tenants';
import { HttpError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    tenant: Tenant;
  }
}

/** `Authorization: Bearer <api key>`: every /v1 route acts for the key's tenant only. */
export function requireTenant(pool: pg.Pool): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return next(
        new HttpError(401, 'unauthenticated', 'Send your API key as "Authorization: Bearer <key>".', [], {
          'WWW-Authenticate': 'Bearer',
        }),
      );
    }
    const tenant = await findTenantByApiKey(pool, match[1]!);
    if (!tenant) {
      return next(
        new HttpError(401, 'unauthenticated', 'This API key is unknown or revoked.', [], {
          'WWW-Authenticate': 'Bearer',
        }),
      );
    }
    req.tenant = tenant;
    next();
  };
}
