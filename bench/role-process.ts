import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../platform/config';

export type Role = 'api' | 'worker';

export interface RoleProcess {
  role: Role;
  pid: number;
  logFile: string;
  /** SIGTERM (Relais drains and stops), SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** What each role logs at info level once it serves: the readiness signal. */
const readyMessage: Record<Role, string> = { api: '"msg":"API listening"', worker: '"msg":"worker polling"' };
const READY_TIMEOUT_MS = 120_000;

/** Children still running when the bench ends, however it ends, are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One role of Relais in a process of its own, started as production starts it (`node --import tsx
 * api/main.ts` / `worker/main.ts`, configured by environment variables only), so its CPU time and
 * memory can be read from /proc. Its pino log goes to `logFile`: a pipe read by the bench would take
 * CPU from the measurement. Resolves once the role logs that it serves.
 */
export async function startRole(
  role: Role,
  env: NodeJS.ProcessEnv,
  logFile: string,
  options: { cpuProfileDir?: string } = {},
): Promise<RoleProcess> {
  const log = openSync(logFile, 'a');
  // V8 writes the profile when the process exits, which it does after draining on SIGTERM.
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', `${role}/main.ts`], {
    cwd: projectRoot,
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  running.add(child);
  const exited = once(child, 'exit').then(() => running.delete(child));
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!readFileSync(logFile, 'utf8').includes(readyMessage[role])) {
    const ended = child.exitCode !== null || child.signalCode !== null;
    if (ended || Date.now() > deadline) {
      await stop(0);
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(
        `The ${role} process ${ended ? 'ended' : `did not serve within ${READY_TIMEOUT_MS} ms`} at start-up. Its log (${logFile}):\n${tail}`,
      );
    }
    await sleep(200);
  }
  return { role, pid: child.pid!, logFile, stop };
}
