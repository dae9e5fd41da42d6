import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createWorkers, runWorkers, workerTuning } from '../worker/create-worker';
import { ensureReconcileSchedule } from '../worker/reconcile-schedule';
import { bundleWorkflowsApart } from '../worker/workflow-bundle';
import { createConnectorRegistry } from '../connectors/registry';
import { publicBaseUrl, type Config } from './config';
import { activityQueues } from './activity-queues';
import { httpServerOptions } from './http-server';
import { loadMasterKeys } from './master-keys';
import { createPayloadCodec, relaisDataConverter } from './payload-codec';
import { relaisVersion } from './version';
import type { Logger } from './logger';
import { installTemporalRuntime } from './temporal-runtime';
import { tracingWorkflowModules, type Tracing } from './tracing';
import { ensureSearchAttributes } from './temporal-server';
import { createVault } from './vault';

export interface RunningRelais {
  apiUrl: string | undefined;
  /** Drains the worker, closes the HTTP server and the connections. */
  stop(): Promise<void>;
}

/**
 * Runs the worker, the API or both in this process against an already reachable PostgreSQL
 * (`databaseUrl`) and Temporal (`temporalAddress`). Migrations run first, under an advisory lock.
 */
export async function startRelais(options: {
  config: Config;
  databaseUrl: string;
  temporalAddress: string;
  logger: Logger;
  roles: { api: boolean; worker: boolean };
  /** Where connectors read their variables (base URLs, client ids); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Tracing, when startTracing turned it on. */
  tracing?: Tracing;
}): Promise<RunningRelais> {
  const { config, logger, tracing } = options;
  const interceptors = tracing ? { interceptors: tracing.clientInterceptors } : {};
  const pool = createPool(options.databaseUrl);
  const masterKeys = loadMasterKeys(config, (line) => logger.warn(line));
  const vault = createVault(masterKeys);
  const payloadCodec = createPayloadCodec(masterKeys);
  const dataConverter = relaisDataConverter(payloadCodec);
  const connectors = createConnectorRegistry(options.env ?? process.env);
  const stops: Array<() => Promise<void>> = [() => pool.end()];
  try {
    const { applied } = await migrate(pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');

    if (options.roles.worker) {
      installTemporalRuntime(logger, { metricsAddress: config.RELAIS_TEMPORAL_METRICS_ADDRESS });
      const connection = await NativeConnection.connect({ address: options.temporalAddress });
      stops.unshift(() => connection.close());
      const clientConnection = await Connection.connect({ address: options.temporalAddress });
      stops.unshift(() => clientConnection.close());
      const client = new Client({
        connection: clientConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        dataConverter,
        ...interceptors,
      });
      const bundle = await bundleWorkflowsApart(tracing ? tracingWorkflowModules : []);
      const workers = await createWorkers({
        workflowBundle: { code: bundle },
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        dataConverter,
        activities: createActivities({
          pool,
          vault,
          connectors,
          publicBaseUrl: publicBaseUrl(config),
          softwareVersion: relaisVersion,
          temporal: client,
          config,
        }),
        activityQueues: activityQueues(config, connectors),
        ...(tracing ? { tracing } : {}),
        tuning: workerTuning(config),
      });
      const running = runWorkers(workers);
      stops.unshift(async () => {
        for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      // One Schedule per namespace: test workers (each on a task queue of its own, sharing one dev
      // server) would keep re-pointing it; the reconcile tests create it themselves.
      if (config.NODE_ENV !== 'test') await ensureReconcileSchedule(client, config);
      logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker polling');
    }

    let apiUrl: string | undefined;
    if (options.roles.api) {
      const connection = await Connection.connect({ address: options.temporalAddress });
      stops.unshift(() => connection.close());
      await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
      const temporal = new Client({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        dataConverter,
        ...interceptors,
      });
      const app = createApp({
        config,
        pool,
        temporal,
        logger,
        vault,
        payloadCodec,
        connectors,
        ...(tracing ? { tracer: tracing.tracer } : {}),
      });
      const server = createServer(httpServerOptions(config), app);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => resolve());
      });
      stops.unshift(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Keep-alive sockets would hold close() open for their idle timeout.
            server.closeIdleConnections();
          }),
      );
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      apiUrl = `http://${config.HOST}:${port}`;
    }

    return {
      apiUrl,
      async stop() {
        for (const stop of stops.splice(0)) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    throw error;
  }
}
