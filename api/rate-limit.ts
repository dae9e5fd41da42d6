import type { RequestHandler } from 'express';
import { HttpError } from './errors';

export interface RateLimit {
  /** Sustained requests per minute. */
  perMinute: number;
  /** Requests that may come at once, before the sustained rate applies. */
  burst: number;
}

/**
 * One token bucket per key: `burst` tokens, refilled continuously at `perMinute`. In this process's
 * memory: one API process enforces the limit exactly; N processes behind a load balancer let a tenant
 * through up to N times (the README says so; a shared store would be PostgreSQL or Redis). The map
 * holds one small entry per tenant that called, and tenants are few (an operator creates them).
 */
export function tokenBuckets(limit: RateLimit, now: () => number = Date.now) {
  const perMs = limit.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes a token for `key`: 0 when there was one, else the milliseconds until there is. */
    take(key: string): number {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: limit.burst, at };
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (at - bucket.at) * perMs);
      bucket.at = at;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perMs);
    },
  };
}

/**
 * The per-tenant request limit on /v1, mounted after authentication so each tenant has its own bucket
 * and one tenant's traffic never slows another's. Over the limit: 429 with Retry-After in seconds.
 */
export function rateLimitPerTenant(limit: RateLimit): RequestHandler {
  const buckets = tokenBuckets(limit);
  return (req, _res, next) => {
    const waitMs = buckets.take(req.tenant.id);
    if (waitMs === 0) return next();
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    next(
      new HttpError(
        429,
        'rate-limited',
        `Too many requests: each tenant may make ${limit.perMinute} requests per minute, ${limit.burst} at once. ` +
          `Retry in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        [],
        { 'Retry-After': String(seconds) },
      ),
    );
  };
}
