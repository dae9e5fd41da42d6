import { randomBytes } from 'node:crypto';
import { createApp } from '../../api/app';
import { createConnectorRegistry, type ConnectorRegistry } from '../../connectors/registry';
import { createApiKey, createTenant, type Tenant } from '../../db/tenants';
import { loadConfig, type Config } from '../../platform/config';
import { activityQueues } from '../../platform/activity-queues';
import { freePort } from '../../platform/free-port';
import { relaisVersion } from '../../platform/version';
import { createLogger } from '../../platform/logger';
import { parseKeySpec } from '../../platform/master-keys';
import type { Vault } from '../../platform/vault';
import { createTestDatabase, type TestDatabase } from './database';
import { listen, type JsonBody } from './http';
import { captureStream } from './log-capture';
import { startTestTemporal, testTaskQueue, type TestTemporal } from './temporal';

export interface TestTenant extends Tenant {
  apiKey: string;
}

export interface TestRelais {
  db: TestDatabase;
  temporal: TestTemporal;
  vault: Vault;
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
}

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
  const vault = parseKeySpec(masterKey);
  const connectors = createConnectorRegistry({ ...process.env, ...env });
  const logger = createLogger({ level: 'debug', destination: captureStream });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: testTaskQueue(),
    PUBLIC_BASE_URL: baseUrl,
    ...env,
  });
  const temporal = await startTestTemporal(
    { pool: db.pool, vault, connectors, publicBaseUrl: baseUrl, softwareVersion: relaisVersion },
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activityQueues: activityQueues(config, connectors),
      ...(options.temporalAddress ? { address: options.temporalAddress } : {}),
    },
  );
  const server = await listen(
    createApp({ config, pool: db.pool, temporal: temporal.client, logger, vault, connectors }),
    port,
  );
  if (options.inProcessWorker !== false) await temporal.startWorker();

  const makeTenant = async (name = 'Test tenant') => {
    const tenant = await createTenant(db.pool, name);
    return { ...tenant, apiKey: await createApiKey(db.pool, tenant.id) };
  };
  const tenant = await makeTenant();

  return {
    db,
    temporal,
    vault,
    connectors,
    config,
    masterKey,
    url: baseUrl,
    tenant,
    createTenant: makeTenant,
    async api(method, path, body, options = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${(options.tenant ?? tenant).apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      };
    },
    async close() {
      await server.close();
      await temporal.close();
      await db.drop();
    },
  };
}
