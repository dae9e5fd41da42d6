import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createWorker } from '../../worker/create-worker';

import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../platform/temporal-runtime';

installTemporalRuntime(createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

export interface TestTemporal {
  client: Client;
  taskQueue: string;
  worker: Worker;
  /** Runs the worker while `work` runs, then drains it. */
  runUntil<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A client and a worker (real activities over `deps`) on a task queue of their own, against the suite's server. */
export async function startTestWorker(
  deps: ActivityDeps,
  tuning: Partial<WorkerOptions> = {},
): Promise<TestTemporal> {
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const address = temporalAddress();
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const bundlePath = process.env.RELAIS_TEST_WORKFLOW_BUNDLE;
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities(deps),
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
    tuning,
  });
  return {
    client: new Client({ connection, namespace: 'default' }),
    taskQueue,
    worker,
    runUntil: (work) => worker.runUntil(work),
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
