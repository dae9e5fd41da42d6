import { z } from 'zod';
import { withinAcceptedYears } from './date-time';
import { HttpError } from './errors';
import { idParamSchema } from './id-param';
import type { KeysetPosition, KeysetRow } from '../db/keyset';

/*
 * Cursors of the list routes (deliveries, webhook deliveries) = base64url of "createdAt|id" of the last
 * row seen, stable under concurrent inserts. createdAt keeps PostgreSQL's microseconds: cut to a
 * JavaScript Date's milliseconds, the last row would compare greater than its own cursor and come back
 * on the next page (the lists read it with db/keyset.ts).
 */

/** The `cursor` query parameter, before decoding. */
export const cursorParam = z
  .string()
  .max(200, 'Not a cursor from this API')
  .regex(/^[\w-]+$/, 'Not a cursor from this API');

const encodeCursor = (position: KeysetPosition) =>
  Buffer.from(`${position.createdAt}|${position.id}`).toString('base64url');

const cursorCreatedAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The position a cursor names, or a 400 naming `cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
  const [createdAt = '', id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Both halves go to PostgreSQL: the date exactly as encoded (no February 31st, which a Date would
  // roll over), the id a UUID.
  const date = new Date(createdAt);
  const validDate =
    cursorCreatedAt.test(createdAt) &&
    withinAcceptedYears(date) &&
    date.toISOString().slice(0, 23) === createdAt.slice(0, 23);
  const validId = idParamSchema.safeParse(id);
  if (!validDate || !validId.success || rest.length) {
    throw new HttpError(400, 'invalid-request', 'Invalid cursor', [
      { path: 'cursor', message: 'Not a cursor from this API' },
    ]);
  }
  return { createdAt, id: validId.data };
}

/** One page from `limit + 1` rows: the first `limit`, and the cursor after them when there were more. */
export function pageOf<T extends { id: string }>(
  rows: KeysetRow<T>[],
  limit: number,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    page: page.map((row) => row.delivery),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ createdAt: last.createdAtMicros, id: last.delivery.id })
        : null,
  };
}
