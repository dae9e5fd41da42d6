import type { ConnectorRegistry } from '../connectors/registry';
import type { ConnectorDescriptor } from '../connectors/types';
import type { Config } from './config';

export interface ActivityQueue {
  taskQueue: string;
  /** Task-queue-wide limit the server enforces across every worker polling the queue. */
  activitiesPerSecond: number;
}

/**
 * Connectors with a per-minute API limit get an activity task queue of their own, rate-limited by
 * the Temporal server across all workers (RELAIS_RATE_LIMITS overrides a limit, e.g. for a higher quota).
 */
export function activityQueueFor(config: Config, descriptor: ConnectorDescriptor): ActivityQueue | undefined {
  const perMinute = config.RELAIS_RATE_LIMITS[descriptor.id] ?? descriptor.limits.requestsPerMinute;
  if (!perMinute) return undefined;
  return {
    taskQueue: `${config.TEMPORAL_TASK_QUEUE}-${descriptor.id}`,
    // 90 % of the limit: the server's pacing jitters, and a window over the limit costs a 429 and a wait.
    activitiesPerSecond: (perMinute * 0.9) / 60 / (descriptor.limits.callsPerDelivery ?? 1),
  };
}

/** Every rate-limited queue the worker must poll. */
export function activityQueues(config: Config, connectors: ConnectorRegistry): ActivityQueue[] {
  return connectors
    .list()
    .filter((descriptor) => descriptor.available)
    .flatMap((descriptor) => activityQueueFor(config, descriptor) ?? []);
}
