/*
 * Abuse limits through the running API: a per-tenant request rate (token bucket, 429 with
 * Retry-After) and a cap on connections in setup at once. Small limits so the tests reach them.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';

const PER_MINUTE = 60;
const BURST = 8;
const MAX_OPEN_SETUPS = 2;

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais({
    RELAIS_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
    RELAIS_RATE_LIMIT_BURST: String(BURST),
    RELAIS_MAX_OPEN_SETUPS: String(MAX_OPEN_SETUPS),
  });
});
after(async () => {
  await relais?.close();
});

const list = (tenant: TestTenant) => relais.api('GET', '/v1/connections', undefined, { tenant });

test('a tenant over its request rate gets 429 with Retry-After; other tenants and health are not slowed', async () => {
  const busy = await relais.createTenant('Busy');
  const calm = await relais.createTenant('Calm');
  const answers = await Promise.all(Array.from({ length: BURST + 4 }, () => list(busy)));
  const statuses = answers.map((answer) => answer.status);
  // A token may come back while the burst is answered (one per second): at least the burst passes.
  const served = statuses.filter((status) => status === 200).length;
  assert.ok(served >= BURST && served <= BURST + 1, `served ${served}: ${statuses.join(',')}`);
  assert.deepEqual([...new Set(statuses)].sort(), [200, 429], `only 200 and 429: ${statuses.join(',')}`);

  const limited = answers.find((answer) => answer.status === 429)!;
  assert.equal(limited.body.error, 'rate-limited');
  assert.match(limited.body.message, /60 requests per minute, 8 at once\. Retry in 1 second\./);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);

  assert.equal((await list(calm)).status, 200, 'another tenant has its own bucket');
  assert.equal((await fetch(`${relais.url}/healthz`)).status, 200, 'health is not rate limited');
  const anonymous = await fetch(`${relais.url}/v1/connections`);
  assert.equal(anonymous.status, 401, 'authentication comes first: no key, no bucket');

  await sleep(retryAfter * 1000 + 50);
  assert.equal((await list(busy)).status, 200, 'served again after Retry-After');
  assert.equal((await list(busy)).status, 429, 'at the sustained rate: one per second');
});

test('a cap on connections in setup at once: the next one is refused until one is finished or cancelled', async () => {
  const tenant = await relais.createTenant('Many setups');
  const create = () =>
    relais.api(
      'POST',
      '/v1/connections',
      { connectorId: 'dropbox', documentType: 'purchase-invoice' },
      { tenant },
    );
  const countConnections = async () =>
    (
      await relais.db.pool.query('select count(*)::int as n from connections where tenant_id = $1', [
        tenant.id,
      ])
    ).rows[0].n as number;

  // Sent together: the count and the insert are serialized per tenant, so exactly the cap gets through.
  const first = await Promise.all(Array.from({ length: MAX_OPEN_SETUPS + 2 }, create));
  assert.deepEqual(
    first.map((answer) => answer.status).sort(),
    [201, 201, 429, 429],
    JSON.stringify(first.map((answer) => answer.body)),
  );
  assert.equal(await countConnections(), MAX_OPEN_SETUPS, 'nothing stored for the refused ones');
  const refused = first.find((answer) => answer.status === 429)!;
  assert.equal(refused.body.error, 'too-many-open-setups');
  assert.match(refused.body.message, /already have 2 connections in setup.*Finish or cancel/);

  const open = first.find((answer) => answer.status === 201)!.body.connection.id as string;
  const cancelled = await relais.api('POST', `/v1/connections/${open}/cancel`, undefined, { tenant });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.equal(cancelled.body.connection.status, 'cancelled');
  const next = await create();
  assert.equal(next.status, 201, 'a cancelled setup frees its place');
  assert.equal((await create()).status, 429);

  const other = await relais.createTenant('Another company');
  const elsewhere = await relais.api(
    'POST',
    '/v1/connections',
    { connectorId: 'dropbox', documentType: 'purchase-invoice' },
    { tenant: other },
  );
  assert.equal(elsewhere.status, 201, 'the cap is per tenant');
});
