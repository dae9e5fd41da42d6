import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Builds the workflow bundle on a thread of its own and answers its code. Webpack run in the worker's
 * own heap left it about 100 MB bigger for good; a thread's heap is given back when the thread ends.
 * With tracing, the bundle carries the workflow interceptor modules `tracingModules`.
 */
export function bundleWorkflowsOnThread(tracingModules: string[]): Promise<string> {
  // TypeScript through tsx's require hook, however this process runs (a thread ignores --import hooks).
  const entry = path.join(__dirname, 'bundle-thread.ts');
  const thread = new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, {
    eval: true,
    execArgv: [],
    workerData: { tracingModules },
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
