import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger';

let installed = false;

/**
 * Routes the SDK's logs into our structured logger and turns off the SDK's own signal handling:
 * Relais drains the worker itself on SIGINT/SIGTERM, in order with the HTTP server and the pool.
 * With `metricsAddress`, the SDK serves its own Prometheus metrics there (workflow and activity task
 * latencies, polls, slots, cache: `temporal_*`). The Runtime is process-wide and can only be installed once.
 */
export function installTemporalRuntime(
  logger: Logger,
  options: { level?: LogLevel; metricsAddress?: string | undefined } = {},
): void {
  if (installed) return;
  installed = true;
  const level = options.level ?? 'WARN';
  Runtime.install({
    shutdownSignals: [],
    ...(options.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } }
      : {}),
    logger: new DefaultLogger(level, (entry) => {
      const method = temporalLogMethod(entry.level, entry.message);
      logger[method]({ ...entry.meta, component: 'temporal-sdk' }, entry.message);
    }),
  });
}

/**
 * Our logger's method for an SDK log entry. The activity-only workers (one per rate-limited queue)
 * have no workflows by design: the SDK's warning that they poll none is expected, so it is debug.
 */
export function temporalLogMethod(
  level: LogLevel,
  message: string,
): 'trace' | 'debug' | 'info' | 'warn' | 'error' {
  if (level === 'TRACE') return 'trace';
  if (message.startsWith('No workflows registered')) return 'debug';
  return level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error';
}
