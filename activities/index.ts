import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { ConnectorRegistry } from '../connectors/registry';
import type { Config } from '../platform/config';
import type { Vault } from '../platform/vault';
import { createDeliveryActivities } from './delivery';
import { createProbeActivities } from './probe';
import { createReconcileActivities } from './reconcile';
import { createSetupActivities } from './setup';
import { createWebhookActivities } from './webhooks';

/** What activities need from the outside world; the worker builds it from configuration, tests from real parts. */
export interface ActivityDeps {
  pool: pg.Pool;
  vault: Vault;
  connectors: ConnectorRegistry;
  publicBaseUrl: string;
  /** Named in the UBL.BE reference of rendered documents. */
  softwareVersion: string;
  /**
   * The reconciler starts deliveries as the API does, and state changes start their webhook deliveries:
   * a client and the configuration (task queues, timeouts).
   */
  temporal?: Client;
  config?: Config;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProbeActivities(deps),
    ...createSetupActivities(deps),
    ...createDeliveryActivities(deps),
    ...createReconcileActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
