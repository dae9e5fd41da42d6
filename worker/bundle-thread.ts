import { parentPort, workerData } from 'node:worker_threads';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../platform/payload-codec';
import { workflowsPath } from './create-worker';

/*
 * The thread that builds the workflow bundle (see bundleWorkflowsOnThread): webpack's memory ends with
 * it. `tracingModules` are the workflow interceptor modules tracing needs, none when it is off.
 */
const { tracingModules } = workerData as { tracingModules: string[] };
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

bundleWorkflowCode({
  workflowsPath,
  failureConverterPath,
  workflowInterceptorModules: tracingModules,
  logger: quiet,
}).then(
  (bundle) => parentPort!.postMessage({ code: bundle.code }),
  (error: unknown) =>
    parentPort!.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
);
