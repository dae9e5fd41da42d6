import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createPool } from '../../db/pool';
import { freePort } from '../../platform/free-port';
import { createLogger } from '../../platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { listen, type JsonBody } from '../helpers/http';
import { startTestWorker, type TestTemporal } from '../helpers/temporal';

const logger = createLogger({ level: 'silent' });
let db: TestDatabase;
let temporal: TestTemporal;

before(async () => {
  db = await createTestDatabase();
  temporal = await startTestWorker({ pool: db.pool });
});
after(async () => {
  await temporal.close();
  await db.drop();
});

async function getHealth(deps: Parameters<typeof createApp>[0], query = '') {
  const server = await listen(createApp(deps));
  try {
    const response = await fetch(`${server.url}/healthz${query}`);
    return {
      status: response.status,
      body: (await response.json()) as JsonBody,
      requestId: response.headers.get('x-request-id'),
    };
  } finally {
    await server.close();
  }
}

test('healthz reports both dependencies up', async () => {
  const health = await getHealth({
    pool: db.pool,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
    logger,
  });
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.equal(health.body.checks.postgres.ok, true);
  assert.equal(health.body.checks.temporal.ok, true);
  assert.ok(health.requestId, 'every response carries a request id');
});

test('healthz?deep=true proves a worker polls the task queue', async () => {
  const health = await temporal.runUntil(() =>
    getHealth(
      { pool: db.pool, temporal: temporal.client, taskQueue: temporal.taskQueue, logger },
      '?deep=true',
    ),
  );
  assert.equal(health.status, 200);
  assert.equal(health.body.checks.worker.ok, true);
});

test('healthz answers 503 naming PostgreSQL when it is down', async () => {
  const deadPool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/none`);
  try {
    const health = await getHealth({
      pool: deadPool,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      logger,
    });
    assert.equal(health.status, 503);
    assert.equal(health.body.checks.postgres.ok, false);
    assert.match(health.body.checks.postgres.error, /ECONNREFUSED|connect/);
    assert.equal(health.body.checks.temporal.ok, true);
  } finally {
    await deadPool.end();
  }
});

test('healthz answers 503 naming Temporal when it is down', async () => {
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const deadTemporal = new Client({ connection });
  try {
    const health = await getHealth({ pool: db.pool, temporal: deadTemporal, taskQueue: 'none', logger });
    assert.equal(health.status, 503);
    assert.equal(health.body.checks.temporal.ok, false);
    assert.equal(health.body.checks.postgres.ok, true);
  } finally {
    await connection.close().catch(() => undefined);
  }
});

test('unknown routes get the JSON error shape', async () => {
  const server = await listen(
    createApp({ pool: db.pool, temporal: temporal.client, taskQueue: 'x', logger }),
  );
  try {
    const response = await fetch(`${server.url}/nope`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as JsonBody;
    assert.equal(body.error, 'not-found');
    assert.match(body.message, /GET \/nope/);
    assert.deepEqual(body.details, []);
  } finally {
    await server.close();
  }
});
