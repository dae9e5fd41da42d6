import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What an id of ours is (connections, deliveries, documents, tenants): the API checks path parameters
 * with it and the store checks again, so PostgreSQL never sees a malformed uuid (22P02, a 500).
 */
export const uuidSchema = z.uuid();

/** A UUID derived from `seed`: a retried activity creates the same row instead of a second one. */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
