import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';

export const workflowsPath = require.resolve('../workflows');

/**
 * Builds a worker for `taskQueue`. A prebuilt bundle (tests share one across files) skips the
 * webpack step; otherwise the workflows are bundled from source.
 */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  workflowBundle?: { codePath: string };
  tuning?: Partial<WorkerOptions>;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...options.tuning,
  });
}
