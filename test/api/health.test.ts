import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createApp, type ApiDeps } from '../../api/app';
import { createPool } from '../../db/pool';
import { freePort } from '../../platform/free-port';
import { createLogger } from '../../platform/logger';
import { listen, type JsonBody } from '../helpers/http';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let relais: TestRelais;
let deps: ApiDeps;

before(async () => {
  relais = await startTestRelais();
  deps = {
    config: relais.config,
    pool: relais.db.pool,
    temporal: relais.temporal.client,
    logger: createLogger({ level: 'silent' }),
    vault: relais.vault,
    payloadCodec: relais.payloadCodec,
    connectors: relais.connectors,
  };
});
after(() => relais.close());

async function getHealth(apiDeps: ApiDeps, query = '') {
  const server = await listen(createApp(apiDeps));
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
  const health = await getHealth(deps);
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.equal(health.body.checks.postgres.ok, true);
  assert.equal(health.body.checks.temporal.ok, true);
  assert.ok(health.requestId, 'every response carries a request id');
});

test('healthz?deep=true proves a worker polls the task queue', async () => {
  const health = await getHealth(deps, '?deep=true');
  assert.equal(health.status, 200);
  assert.equal(health.body.checks.worker.ok, true);
});

test('healthz answers 503 naming PostgreSQL when it is down', async () => {
  const deadPool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/none`);
  try {
    const health = await getHealth({ ...deps, pool: deadPool });
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
  try {
    const health = await getHealth({
      ...deps,
      temporal: new Client({ connection, dataConverter: relais.temporal.dataConverter }),
    });
    assert.equal(health.status, 503);
    assert.equal(health.body.checks.temporal.ok, false);
    assert.equal(health.body.checks.postgres.ok, true);
  } finally {
    await connection.close().catch(() => undefined);
  }
});

test('unknown routes and missing API keys get the JSON error shape', async () => {
  const unknown = await fetch(`${relais.url}/nope`);
  assert.equal(unknown.status, 404);
  const body = (await unknown.json()) as JsonBody;
  assert.equal(body.error, 'not-found');
  assert.match(body.message, /GET \/nope/);
  assert.deepEqual(body.details, []);

  const anonymous = await fetch(`${relais.url}/v1/integrations`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as JsonBody).error, 'unauthenticated');
  const wrongKey = await relais.api('GET', '/v1/integrations', undefined, {
    tenant: { ...relais.tenant, apiKey: 'rls_not-a-key' },
  });
  assert.equal(wrongKey.status, 401);
});

test('malformed JSON gets a 400 that says so', async () => {
  const response = await fetch(`${relais.url}/v1/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relais.tenant.apiKey}`, 'content-type': 'application/json' },
    body: '{"connectorId": ',
  });
  assert.equal(response.status, 400);
  assert.equal(((await response.json()) as JsonBody).error, 'invalid-json');
});
