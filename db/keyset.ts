/* Keyset pages of the list routes: a cursor names the last row seen by its createdAt and id. */

/** Where a page ends: createdAt as cursorCreatedAtSql writes it, and the row's id. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** A listed row with its createdAt in microseconds, for the cursor after it. */
export interface KeysetRow<T extends { id: string }> {
  delivery: T;
  createdAtMicros: string;
}

/** A row's createdAt as list cursors keep it (UTC, microseconds: see api/keyset-cursor.ts). */
export const cursorCreatedAtSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
