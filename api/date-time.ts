import { z } from 'zod';

/**
 * A date-time query parameter such as `since`: ISO 8601 with an offset, answered with a 400 naming the
 * field unless PostgreSQL can hold it. PostgreSQL refuses year 0 (22008) and offsets beyond ±15:59
 * (22009), so the value is read as a Date, bounded to the years 1970 to 9999 (in UTC) and passed on in
 * UTC: no offset reaches the database.
 */
export function dateTimeParam(field: string) {
  return z.iso
    .datetime({ offset: true, error: `${field} must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z` })
    .transform((text, context) => {
      const date = new Date(text);
      if (!withinAcceptedYears(date)) {
        context.issues.push({
          code: 'custom',
          input: text,
          message: `${field} must fall between the years 1970 and 9999 (in UTC)`,
        });
        return z.NEVER;
      }
      return date.toISOString();
    });
}

/** Whether `date` (as a Date reads it) lies in the years {@link dateTimeParam} accepts. */
export function withinAcceptedYears(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1970 && year <= 9999;
}
