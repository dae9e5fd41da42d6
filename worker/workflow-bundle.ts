import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../platform/payload-codec';
import { workflowsPath } from './create-worker';

/** Webpack's info and debug lines say nothing a reader needs; its warnings and errors go to stderr. */
const bundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
  log: () => undefined,
};

/**
 * The workflow bundle's code, as every worker runs it: failures made in the sandbox converted by
 * Relais's failure converter, and the workflow interceptor modules given (tracing's, when it is on).
 */
export async function buildWorkflowBundle(interceptorModules: string[] = []): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    workflowInterceptorModules: interceptorModules,
    logger: bundlerLogger,
  });
  return bundle.code;
}

/**
 * buildWorkflowBundle on a thread of its own. Webpack run in the worker's own heap left it about
 * 100 MB bigger for good; a thread's heap is given back when the thread ends.
 */
export function bundleWorkflowsOnThread(interceptorModules: string[]): Promise<string> {
  // TypeScript through tsx's require hook, however this process runs (a thread ignores --import hooks).
  const entry = path.join(__dirname, 'bundle-thread.ts');
  const thread = new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, {
    eval: true,
    execArgv: [],
    workerData: { interceptorModules },
  });
  return new Promise<string>((resolve, reject) => {
    thread.once('message', (answer: { code?: string; error?: string }) => {
      void thread.terminate();
      if (answer.code) resolve(answer.code);
      else reject(new Error(`Bundling the workflows failed: ${answer.error}`));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`The bundling thread ended (exit code ${code})`)));
  });
}
