import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { relaisSearchAttributes } from '../workflows/search-attributes';

export interface DevServer {
  address: string;
  /** The server's OS process (benchmarks read its CPU time and memory from /proc). */
  pid: number | undefined;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

/** gRPC status ALREADY_EXISTS: the attribute is registered already. */
const grpcAlreadyExists = 6;
const kindToCli: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', BOOL: 'Bool' };

/** Waits until a Temporal frontend answers on `address` (or gives up after `timeoutMs`). */
export async function waitForTemporal(address: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`Temporal did not answer on ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Registers the project's search attributes on an existing cluster; already-registered ones are fine. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // temporal.api.enums.v1.IndexedValueType
  const IndexedValueType = { TEXT: 1, KEYWORD: 2, INT: 3, BOOL: 5 } as const;
  const searchAttributes: Record<string, number> = {};
  for (const key of relaisSearchAttributes) {
    searchAttributes[key.name] = IndexedValueType[key.type as keyof typeof IndexedValueType];
  }
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    if ((error as { code?: number }).code !== grpcAlreadyExists) throw error;
  }
}

/** WAL keeps the dev server's single SQLite file fast under many small writes. */
export const devServerSqlitePragmas: Readonly<Record<string, string>> = {
  journal_mode: 'wal',
  synchronous: 'normal',
};

/**
 * Starts `temporal server start-dev` with the project's search attributes and waits until it answers.
 * `dbFile` keeps workflows across restarts; without it the server keeps everything in memory (tests).
 * `sqlitePragmas` override the pragmas above; `dynamicConfig` sets server settings (`--dynamic-config-value`).
 */
export async function startDevServer(options: {
  cli: string;
  port: number;
  uiPort?: number;
  /** The UI's remote codec (Relais's `/codec`), so it can show the encrypted payloads decoded. */
  uiCodecEndpoint?: string;
  dbFile?: string;
  namespace: string;
  logFile: string;
  sqlitePragmas?: Record<string, string>;
  dynamicConfig?: Record<string, unknown>;
}): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
  ];
  args.push('--namespace', options.namespace);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const [name, value] of Object.entries({ ...devServerSqlitePragmas, ...options.sqlitePragmas }))
      args.push('--sqlite-pragma', `${name}=${value}`);
  }
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const key of relaisSearchAttributes)
    args.push('--search-attribute', `${key.name}=${kindToCli[key.type]}`);

  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(options.cli, args, { stdio: ['ignore', out, out] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const address = `127.0.0.1:${options.port}`;
  const ready = waitForTemporal(address, 60_000);
  const first = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
  ]);
  if (first === 'exited') {
    throw new Error(`temporal server start-dev exited at start-up; see ${options.logFile}`);
  }
  return {
    address,
    pid: child.pid,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
