import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Config } from '../platform/config';
import type { ActivityQueue } from '../platform/activity-queues';
import type { Tracing } from '../platform/tracing';

export const workflowsPath = require.resolve('../workflows');

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** The clients' data converter (payload encryption): workers must read and write what they do. */
  dataConverter: DataConverter;
  /** Rate-limited activity queues (one per connector with an API limit), each polled by its own worker. */
  activityQueues?: ActivityQueue[];
  /**
   * A prebuilt bundle (tests share one across files; a worker builds its own in a child process) skips the
   * webpack step here. With tracing, it must have been built with `tracingWorkflowModules` among its
   * workflow interceptor modules.
   */
  workflowBundle?: { codePath: string } | { code: string };
  /** Tracing, when it is on: activity spans, and workflow spans exported through a sink. */
  tracing?: Tracing;
  tuning?: Partial<WorkerOptions>;
}

/** The worker options the configuration sets: how many activities run at once, how many workflows stay cached. */
export function workerTuning(config: Config): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.RELAIS_WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: config.RELAIS_WORKER_MAX_CACHED_WORKFLOWS,
  };
}

/** The main worker (workflows + activities) and one activity-only worker per rate-limited queue. */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const traced = setup.tracing?.workerOptions(!setup.workflowBundle);
  const main = await Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    activities: setup.activities,
    dataConverter: setup.dataConverter,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath }),
    ...traced,
    ...setup.tuning,
  });
  const limited = await Promise.all(
    (setup.activityQueues ?? []).map((queue) =>
      Worker.create({
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue: queue.taskQueue,
        activities: setup.activities,
        dataConverter: setup.dataConverter,
        maxTaskQueueActivitiesPerSecond: queue.activitiesPerSecond,
        ...(traced ? { interceptors: { activity: traced.interceptors.activity } } : {}),
      }),
    ),
  );
  return [main, ...limited];
}

/** Runs workers together until they are shut down; shutting one down (or a failure) stops them all. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const stopAll = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  try {
    await Promise.all(workers.map((worker) => worker.run().finally(stopAll)));
  } finally {
    stopAll();
  }
}
