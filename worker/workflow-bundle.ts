import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fork } from 'node:child_process';
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
 * buildWorkflowBundle in a process of its own. Webpack run in the worker's heap left it about 100 MB
 * bigger for good, and on a thread still about 70 MB (the allocator keeps what the thread freed); a
 * process gives everything back when it exits.
 */
export function bundleWorkflowsApart(interceptorModules: string[]): Promise<string> {
  // TypeScript through tsx, found from here (not from the working folder), however this process runs.
  const child = fork(path.join(__dirname, 'bundle-process.ts'), [], {
    execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise<string>((resolve, reject) => {
    child.once('message', (answer: { code?: string; error?: string }) => {
      if (answer.code) resolve(answer.code);
      else reject(new Error(`Bundling the workflows failed: ${answer.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The bundling process ended (exit code ${code})`)));
    child.send({ interceptorModules });
  });
}
