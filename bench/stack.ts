import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, createTenant } from '../db/tenants';
import { loadConfig } from '../platform/config';
import { freePort } from '../platform/free-port';
import { ensureTemporalCli } from '../platform/temporal-cli';
import { startDevServer, type DevServer } from '../platform/temporal-server';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import type { DropboxFake } from '../test/fakes/dropbox';
import { connectDropbox, dropboxEnv, startDropbox } from '../test/helpers/dropbox-connection';
import { callApi } from '../test/helpers/http';
import type { TestRelais } from '../test/helpers/relais';
import { connectSftp } from '../test/helpers/sftp-connection';
import { startSshServer } from '../test/helpers/sshd';
import { startRole, type Role, type RoleProcess } from './role-process';

/** Where the SFTP connection files invoices, as a customer's import job would expect them. */
const SFTP_UPLOAD_PATH = 'Invoice_import/[invoice_type]/[year]/';

/**
 * What a run has started, stopped in reverse order. Filled while the stack starts, so a signal or a
 * failure half-way through still stops what was already running.
 */
export class Teardown {
  private readonly steps: Array<() => Promise<void>> = [];
  constructor(private readonly say: (line: string) => void) {}

  push(...steps: Array<() => Promise<void>>): void {
    this.steps.push(...steps);
  }

  /** Runs every step once, newest first; a failing step is reported and the others still run. */
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((error: unknown) => this.say(`cleanup: ${(error as Error).message}`));
    }
  }
}

/** The part of the test suite's TestRelais that the reused setup helpers call: the API, as a tenant. */
export type BenchRelais = Pick<TestRelais, 'url' | 'tenant' | 'api'>;

export interface BenchStack {
  relais: BenchRelais;
  db: TestDatabase;
  temporal: DevServer;
  api: RoleProcess;
  worker: RoleProcess;
  /** The API's and the worker's environment (connector URLs, master key): the baseline reuses it. */
  env: NodeJS.ProcessEnv;
  /** The two purchase-invoice connections every benchmark document fans out to. */
  connections: { sftp: string; dropbox: string };
  dropbox: DropboxFake;
}

/**
 * Everything a delivery crosses, started the way production runs it: a Temporal dev server with its
 * SQLite file on disk (so its pragmas count), a fresh database on the local PostgreSQL, the API and the
 * worker as processes of their own, an OpenSSH server and the Dropbox contract fake. Then a tenant
 * whose SFTP and Dropbox connections for purchase invoices are set up through the API.
 */
export async function startBenchStack(
  say: (line: string) => void,
  teardown: Teardown,
  options: {
    cpuProfileDir?: string;
    temporalPragmas?: Record<string, string>;
    temporalConfig?: Record<string, unknown>;
  } = {},
): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relais-bench-'));
  teardown.push(async () => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ ...process.env, NODE_ENV: 'production' });

  const cli = await ensureTemporalCli({
    cliPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.RELAIS_CACHE_DIR,
    log: say,
  });
  const temporal = await startDevServer({
    cli,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.sqlite'),
    namespace: config.TEMPORAL_NAMESPACE,
    logFile: path.join(dir, 'temporal.log'),
    ...(options.temporalPragmas ? { sqlitePragmas: options.temporalPragmas } : {}),
    ...(options.temporalConfig ? { dynamicConfig: options.temporalConfig } : {}),
  });
  teardown.push(() => temporal.stop());
  say(`Temporal dev server on ${temporal.address} (SQLite file in ${dir})`);

  // DATABASE_URL names the server to create the run's database on, as for `npm test`.
  process.env.RELAIS_TEST_PG_ADMIN_URL = config.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createTestDatabase();
  teardown.push(() => db.drop());
  say(`PostgreSQL database ${new URL(db.url).pathname.slice(1)} on ${new URL(db.url).host}`);

  const [sshd, dropbox] = await Promise.all([startSshServer(), startDropbox()]);
  teardown.push(
    () => sshd.stop(),
    () => dropbox.close(),
  );

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...dropboxEnv(dropbox),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-${randomBytes(4).toString('hex')}`,
    RELAIS_MASTER_KEY: `bench:${randomBytes(32).toString('base64')}`,
    RELAIS_DATA_DIR: path.join(dir, 'data'),
    // One tenant sends all the traffic here; the per-tenant limit (600 a minute by default) would cap it
    // at 10 documents a second, below the target. Measured is the pipeline, not the limiter.
    RELAIS_RATE_LIMIT_PER_MINUTE: process.env.RELAIS_RATE_LIMIT_PER_MINUTE ?? '1000000',
    RELAIS_RATE_LIMIT_BURST: process.env.RELAIS_RATE_LIMIT_BURST ?? '1000',
    // The OpenSSH server is on loopback, which the SSRF guard refuses unless the operator allows it.
    RELAIS_NETWORK_ALLOW: '127.0.0.1',
  };
  const start = async (role: Role) => {
    const started = await startRole(role, env, path.join(dir, `${role}.log`), options);
    teardown.push(() => started.stop());
    return started;
  };
  const [api, worker] = await Promise.all([start('api'), start('worker')]);

  const tenant = await createTenant(db.pool, 'Benchmark tenant');
  const relais = apiClient(url, { ...tenant, apiKey: await createApiKey(db.pool, tenant.id) });
  // The helpers are typed for the test suite's TestRelais but only call url, tenant and api.
  const asTestRelais = relais as TestRelais;
  const connections = {
    sftp: await connectSftp(asTestRelais, sshd, {
      documentType: 'purchase-invoice',
      uploadPath: SFTP_UPLOAD_PATH,
    }),
    dropbox: await connectDropbox(asTestRelais, dropbox, { documentType: 'purchase-invoice' }),
  };
  return { relais, db, temporal, api, worker, env, connections, dropbox };
}

export interface ApiStack {
  relais: BenchRelais;
  db: TestDatabase;
  api: RoleProcess;
}

/**
 * The API alone, as a process of its own (so its memory can be read from /proc), on a Temporal dev
 * server and a fresh database, with a tenant that has no connections: what intake costs, without
 * deliveries. `apiEnv` adds to or overrides the API's environment.
 */
export async function startApiStack(
  say: (line: string) => void,
  teardown: Teardown,
  apiEnv: NodeJS.ProcessEnv = {},
): Promise<ApiStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relais-bench-'));
  teardown.push(async () => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ ...process.env, NODE_ENV: 'production' });
  const cli = await ensureTemporalCli({
    cliPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.RELAIS_CACHE_DIR,
    log: say,
  });
  const temporal = await startDevServer({
    cli,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.sqlite'),
    namespace: config.TEMPORAL_NAMESPACE,
    logFile: path.join(dir, 'temporal.log'),
  });
  teardown.push(() => temporal.stop());
  process.env.RELAIS_TEST_PG_ADMIN_URL = config.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createTestDatabase();
  teardown.push(() => db.drop());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    RELAIS_MASTER_KEY: `bench:${randomBytes(32).toString('base64')}`,
    RELAIS_DATA_DIR: path.join(dir, 'data'),
    ...apiEnv,
  };
  const api = await startRole('api', env, path.join(dir, 'api.log'));
  teardown.push(() => api.stop());
  const tenant = await createTenant(db.pool, 'Benchmark tenant');
  const relais = apiClient(url, { ...tenant, apiKey: await createApiKey(db.pool, tenant.id) });
  return { relais, db, api };
}

/** Calls the API as `tenant`, as the test suite's TestRelais does. */
function apiClient(url: string, tenant: TestRelais['tenant']): BenchRelais {
  return {
    url,
    tenant,
    api: (method, apiPath, body, options = {}) =>
      callApi(url, tenant.apiKey, method, apiPath, body, options.headers),
  };
}
