/** A row's createdAt as list cursors keep it (UTC, microseconds: see api/keyset-cursor.ts). */
export const cursorCreatedAtSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
