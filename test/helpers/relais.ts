import { randomBytes } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createConnectorRegistry, type ConnectorRegistry } from '../../connectors/registry';
import { createApiKey, createTenant, type Tenant } from '../../db/tenants';
import { loadConfig, type Config } from '../../platform/config';
import { activityQueues } from '../../platform/activity-queues';
import { freePort } from '../../platform/free-port';
import { httpServerOptions } from '../../platform/http-server';
import { relaisVersion } from '../../platform/version';
import { createLogger } from '../../platform/logger';
import { parseMasterKeys } from '../../platform/master-keys';
import { createPayloadCodec, relaisDataConverter } from '../../platform/payload-codec';
import type { Tracing } from '../../platform/tracing';
import { createVault, type Vault } from '../../platform/vault';
import { createTestDatabase, type TestDatabase } from './database';
import { callApi, listen, type JsonBody } from './http';
import { captureStream } from './log-capture';
import { startTestTemporal, testTaskQueue, type TestTemporal } from './temporal';
import { workerTuning } from '../../worker/create-worker';

export interface TestTenant extends Tenant {
  apiKey: string;
}

export interface TestRelais {
  /** The Express app the server serves (its routers, for the route list). */
  app: Express;
  db: TestDatabase;
  temporal: TestTemporal;
  vault: Vault;
  /** The payload codec of the workers and the API's client (the keys are `masterKey`'s). */
  payloadCodec: PayloadCodec;
  connectors: ConnectorRegistry;
  config: Config;
  /** RELAIS_MASTER_KEY of this Relais: what a worker in another process needs to read its vault. */
  masterKey: string;
  url: string;
  tenant: TestTenant;
  createTenant(name?: string): Promise<TestTenant>;
  /** Calls the API as `tenant` (default: the first one); JSON in, JSON out. */
  api(
    method: string,
    path: string,
    body?: unknown,
    options?: { tenant?: TestTenant; headers?: Record<string, string> },
  ): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestRelaisOptions {
  /** false: no worker in this process (tests that run workers as processes of their own). */
  inProcessWorker?: boolean;
  /** Another Temporal server than the suite's (tests that restart their own). */
  temporalAddress?: string;
  /** Tracing (platform/tracing.ts) for the API, the client and the workers. */
  tracing?: Tracing;
  /** A workflow bundle of the test's own instead of the suite's (a traced worker needs one). */
  workflowBundlePath?: string;
}

/**
 * What every test Relais is configured with unless the test says otherwise: the SSRF guard lets the
 * connectors reach the fakes and the OpenSSH server on loopback, and the abuse limits are far above
 * what a test sends (test/integration/abuse-limits.test.ts sets small ones).
 */
export const testDefaults: Record<string, string> = {
  RELAIS_NETWORK_ALLOW: '127.0.0.0/8',
  RELAIS_RATE_LIMIT_PER_MINUTE: '100000',
  RELAIS_RATE_LIMIT_BURST: '10000',
  RELAIS_MAX_OPEN_SETUPS: '1000',
};

/**
 * The whole of Relais for one test file: a fresh database, a worker on its own task queue (real
 * activities, connectors built from `env`, which points them at contract fakes), and the API served
 * on a free port, with a tenant and its API key.
 */
export async function startTestRelais(
  env: Record<string, string> = {},
  options: TestRelaisOptions = {},
): Promise<TestRelais> {
  const db = await createTestDatabase();
  const masterKey = `test:${randomBytes(32).toString('base64')}`;
  const masterKeys = parseMasterKeys(masterKey);
  const vault = createVault(masterKeys);
  const payloadCodec = createPayloadCodec(masterKeys);
  const connectors = createConnectorRegistry({ ...testDefaults, ...process.env, ...env });
  const logger = createLogger({ level: 'debug', destination: captureStream });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: testTaskQueue(),
    PUBLIC_BASE_URL: baseUrl,
    ...testDefaults,
    ...env,
  });
  const temporal = await startTestTemporal(
    { pool: db.pool, vault, connectors, publicBaseUrl: baseUrl, softwareVersion: relaisVersion, config },
    {
      dataConverter: relaisDataConverter(payloadCodec),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activityQueues: activityQueues(config, connectors),
      tuning: workerTuning(config),
      ...(options.temporalAddress ? { address: options.temporalAddress } : {}),
      ...(options.tracing ? { tracing: options.tracing } : {}),
      ...(options.workflowBundlePath ? { workflowBundlePath: options.workflowBundlePath } : {}),
    },
  );
  const app = createApp({
    config,
    pool: db.pool,
    temporal: temporal.client,
    logger,
    vault,
    payloadCodec,
    connectors,
    ...(options.tracing ? { tracer: options.tracing.tracer } : {}),
  });
  const server = await listen(app, port, httpServerOptions(config));
  if (options.inProcessWorker !== false) await temporal.startWorker();

  const makeTenant = async (name = 'Test tenant') => {
    const tenant = await createTenant(db.pool, name);
    return { ...tenant, apiKey: await createApiKey(db.pool, tenant.id) };
  };
  const tenant = await makeTenant();

  return {
    app,
    db,
    temporal,
    vault,
    payloadCodec,
    connectors,
    config,
    masterKey,
    url: baseUrl,
    tenant,
    createTenant: makeTenant,
    api: (method, path, body, options = {}) =>
      callApi(baseUrl, (options.tenant ?? tenant).apiKey, method, path, body, options.headers),
    async close() {
      await server.close();
      await temporal.close();
      await db.drop();
    },
  };
}
