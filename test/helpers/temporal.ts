import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createLogger } from '../../platform/logger';
import { captureStream } from './log-capture';
import { installTemporalRuntime } from '../../platform/temporal-runtime';
import type { ActivityQueue } from '../../platform/activity-queues';
import { createWorkers, runWorkers } from '../../worker/create-worker';

// Warnings include every failed activity with its message: what a secret scan must see.
installTemporalRuntime(createLogger({ level: 'warn', destination: captureStream }));

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

export const testTaskQueue = () => `test-${randomBytes(6).toString('hex')}`;

export interface TestTemporal {
  client: Client;
  taskQueue: string;
  /** Starts (or restarts) the worker in the background; `stopWorker` drains it. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** Runs a worker while `work` runs, then drains it. */
  runUntil<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A client and workers (real activities over `deps`) on a task queue of their own, against the suite's server. */
export async function startTestTemporal(
  deps: ActivityDeps,
  options: {
    taskQueue?: string;
    activityQueues?: ActivityQueue[];
    tuning?: Partial<WorkerOptions>;
    /** Another server than the suite's. */
    address?: string;
  } = {},
): Promise<TestTemporal> {
  const taskQueue = options.taskQueue ?? testTaskQueue();
  const address = options.address ?? temporalAddress();
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const bundlePath = process.env.RELAIS_TEST_WORKFLOW_BUNDLE;
  const newWorkers = () =>
    createWorkers({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities(deps),
      activityQueues: options.activityQueues ?? [],
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
      ...(options.tuning ? { tuning: options.tuning } : {}),
    });
  let running: { workers: Worker[]; run: Promise<void> } | undefined;
  const stopWorker = async () => {
    if (!running) return;
    const { workers, run } = running;
    running = undefined;
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
  };
  return {
    client: new Client({ connection, namespace: 'default' }),
    taskQueue,
    async startWorker() {
      await stopWorker();
      const workers = await newWorkers();
      running = { workers, run: runWorkers(workers) };
    },
    stopWorker,
    async runUntil(work) {
      const [main] = await newWorkers();
      return main!.runUntil(work);
    },
    async close() {
      await stopWorker();
      await connection.close();
      await nativeConnection.close();
    },
  };
}
