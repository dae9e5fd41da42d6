import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { projectRoot, publicBaseUrl } from '../../platform/config';
import { testDefaults, type TestRelais } from './relais';
import { temporalAddress } from './temporal';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  /** Sends `signal` (SIGKILL by default: no drain, no goodbye) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<WorkerExit>;
  /** Settles when the current process ends. */
  readonly exited: Promise<WorkerExit>;
  /** Starts a fresh process (killing the current one first if it still runs); resolves once it polls. */
  restart(): Promise<void>;
  /** The last lines the processes wrote (their pino logs), for failure messages. */
  output(): string;
}

/** Processes still running when the test process ends are killed with it, whatever the test did. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const READY_TIMEOUT_MS = 90_000;
const KEPT_LINES = 300;

/**
 * A Relais worker in an OS process of its own (`node --import tsx worker/main.ts`, the production
 * entry point), so a test can SIGKILL it mid-delivery. It works for `relais`: same database, master
 * key, task queue and public URL; `env` adds what the connectors read (fake URLs, client ids) and
 * RELAIS_RATE_LIMITS, as given to startTestRelais. It bundles the workflows itself, like production.
 */
export async function startWorkerProcess(
  relais: TestRelais,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const childEnv: NodeJS.ProcessEnv = {
    ...testDefaults,
    ...process.env,
    ...env,
    NODE_ENV: 'test',
    DATABASE_URL: relais.db.url,
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_NAMESPACE: relais.config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: relais.config.TEMPORAL_TASK_QUEUE,
    RELAIS_MASTER_KEY: relais.masterKey,
    PUBLIC_BASE_URL: publicBaseUrl(relais.config),
    // Info is the level at which the worker says it polls: the readiness signal below.
    LOG_LEVEL: 'info',
  };

  let child: ChildProcess;
  let exited: Promise<WorkerExit>;

  async function spawnWorker(): Promise<void> {
    const started = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: projectRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    running.add(started);
    exited = once(started, 'exit').then(([code, signal]) => {
      running.delete(started);
      keep(`[worker ${started.pid} exited: ${signal ?? code}]`);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
    let polling = false;
    const ready = new Promise<void>((resolve, reject) => {
      let partial = '';
      const read = (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const complete = text.split('\n');
        partial = complete.pop() ?? '';
        for (const line of complete) {
          keep(line);
          if (!polling && line.includes('"msg":"worker polling"')) {
            polling = true;
            resolve();
          }
        }
      };
      started.stdout!.on('data', read);
      started.stderr!.on('data', read);
      void exited.then((exit) =>
        reject(new Error(`The worker process ended before polling (${exit.signal ?? exit.code})`)),
      );
    });
    // The test process must be free to end even if a test forgot the worker: the exit hook kills it.
    started.unref();
    for (const stream of [started.stdout, started.stderr]) (stream as { unref?: () => void }).unref?.();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The worker process did not poll within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`${(error as Error).message}. Its output:\n${lines.slice(-40).join('\n')}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<WorkerExit> {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  }

  await spawnWorker();
  return {
    kill,
    get exited() {
      return exited;
    },
    async restart() {
      await kill();
      await spawnWorker();
    },
    output: () => lines.join('\n'),
  };
}
