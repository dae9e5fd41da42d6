import type pg from 'pg';
import type { ConnectorRegistry } from '../connectors/registry';
import type { Vault } from '../platform/vault';
import { createProbeActivities } from './probe';
import { createSetupActivities } from './setup';

/** What activities need from the outside world; the worker builds it from configuration, tests from real parts. */
export interface ActivityDeps {
  pool: pg.Pool;
  vault: Vault;
  connectors: ConnectorRegistry;
  publicBaseUrl: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProbeActivities(deps),
    ...createSetupActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
