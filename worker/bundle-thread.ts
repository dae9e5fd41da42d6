import { parentPort, workerData } from 'node:worker_threads';
import { buildWorkflowBundle } from './workflow-bundle';

/* The thread bundleWorkflowsOnThread starts: it builds the bundle and answers its code or the error. */
const { interceptorModules } = workerData as { interceptorModules: string[] };

buildWorkflowBundle(interceptorModules).then(
  (code) => parentPort!.postMessage({ code }),
  (error: unknown) =>
    parentPort!.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
);
