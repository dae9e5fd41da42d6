import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../platform/temporal-runtime';
import { createWorker } from '../../worker/create-worker';

installTemporalRuntime(createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

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
export async function startTestTemporal(deps: ActivityDeps, tuning: Partial<WorkerOptions> = {}): Promise<TestTemporal> {
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const address = temporalAddress();
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const bundlePath = process.env.RELAIS_TEST_WORKFLOW_BUNDLE;
  const newWorker = () =>
    createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities(deps),
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
      tuning,
    });
  let running: { worker: Worker; run: Promise<void> } | undefined;
  const stopWorker = async () => {
    if (!running) return;
    const { worker, run } = running;
    running = undefined;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
  };
  return {
    client: new Client({ connection, namespace: 'default' }),
    taskQueue,
    async startWorker() {
      await stopWorker();
      const worker = await newWorker();
      running = { worker, run: worker.run() };
    },
    stopWorker,
    async runUntil(work) {
      return (await newWorker()).runUntil(work);
    },
    async close() {
      await stopWorker();
      await connection.close();
      await nativeConnection.close();
    },
  };
}
