import type pg from 'pg';
import { createProbeActivities } from './probe';

/** What activities need from the outside world; the worker builds it from configuration, tests from real parts. */
export interface ActivityDeps {
  pool: pg.Pool;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProbeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
