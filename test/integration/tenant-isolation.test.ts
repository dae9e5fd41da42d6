/*
 * Tenant isolation through the running API. The owner has an active connection with a delivered
 * document and a connection waiting in its sign-in; an intruder (another tenant's valid key) calls
 * every /v1 route of the OpenAPI document on the owner's ids. It must see nothing and change nothing:
 * 404 exactly as for an id that does not exist (not 403, so ids do not leak), empty lists, and the
 * owner's rows identical afterwards. The OAuth browser legs carry no API key: their state is bound to
 * one connection and one browser, so the owner's sign-in cannot be completed into another tenant's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { openApiDocument } from '../../api/openapi';
import { projectRoot } from '../../platform/config';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';
import { tenantRows } from '../helpers/stored-rows';
import { waitFor } from '../helpers/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

let dropbox: DropboxFake;
let receiver: WebhookReceiver;
let relais: TestRelais;
let owner: TestTenant;
let intruder: TestTenant;
/** The owner's things, by the kind of id a route takes. */
const ids: Record<'connection' | 'delivery' | 'document' | 'webhook', string[]> = {
  connection: [],
  delivery: [],
  document: [],
  webhook: [],
};
/** The owner's webhook deliveries: the `{deliveryId}` of the webhook routes. */
const webhookDeliveryIds: string[] = [];

before(async () => {
  dropbox = await startDropbox();
  receiver = await startWebhookReceiver();
  relais = await startTestRelais({ ...dropboxEnv(dropbox), RELAIS_NETWORK_CA_FILE: receiver.caFile });
  owner = relais.tenant;
  intruder = await relais.createTenant('Intruder');
  const webhook = await relais.api('POST', '/v1/webhooks', {
    url: `${receiver.url}/owner`,
    eventTypes: ['connection.active', 'delivery.delivered'],
  });
  assert.equal(webhook.status, 201, JSON.stringify(webhook.body));
  ids.webhook.push(webhook.body.webhook.id);

  const active = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  const accepted = await acceptDocument(relais, ublBeInvoice('ISOLATION-1'));
  await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  const waiting = await startSignIn(owner, 'sales-invoice');
  ids.connection.push(active, waiting.id);
  ids.delivery.push(accepted.deliveries[0].id);
  ids.document.push(accepted.documentId);
  // The owner's webhook deliveries settle before the snapshot of its rows: both events delivered.
  const sent = await waitFor('the owner’s two webhook deliveries', async () => {
    const answer = await relais.api('GET', `/v1/webhooks/${ids.webhook[0]}/deliveries`);
    const deliveries = answer.body.deliveries as Array<{ id: string; status: string }>;
    return deliveries.length === 2 && deliveries.every((d) => d.status === 'delivered') && deliveries;
  });
  webhookDeliveryIds.push(...sent.map((d) => d.id));
});
after(async () => {
  await relais?.close();
  await receiver?.close();
  await dropbox?.close();
});

/** A Dropbox connection of `tenant` at its sign-in step: returns its id and OAuth start link. */
async function startSignIn(
  tenant: TestTenant,
  documentType: string,
): Promise<{ id: string; startUrl: string }> {
  const as = { tenant };
  const created = await relais.api('POST', '/v1/connections', { connectorId: 'dropbox', documentType }, as);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id;
  assert.equal(
    (await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' }, as)).status,
    200,
  );
  const oauth = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/oauth`,
    { values: {}, returnUrl: `${relais.url}/setup/done` },
    as,
  );
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  return { id, startUrl: oauth.body.connection.setup.oauth.startUrl };
}

/** Which of the owner's ids a route with `{id}` takes; a route this does not know fails the test. */
function idKind(path: string): keyof typeof ids {
  const resource = /^\/v1\/(connections|deliveries|documents|webhooks)\/\{id\}/.exec(path)?.[1];
  const kinds = {
    connections: 'connection',
    deliveries: 'delivery',
    documents: 'document',
    webhooks: 'webhook',
  } as const;
  if (!resource) assert.fail(`${path}: teach tenant-isolation.test.ts which kind of id this route takes`);
  return kinds[resource as keyof typeof kinds];
}

/** Well-formed requests, so that only ownership can make them fail. */
const validBodies: Record<string, unknown> = {
  'post /v1/connections/{id}/steps/format': { format: 'ubl-be-3' },
  'post /v1/connections/{id}/steps/credentials': { values: {} },
  'post /v1/connections/{id}/steps/oauth': { values: {}, returnUrl: 'http://127.0.0.1/done' },
  'post /v1/connections/{id}/steps/administration': { administrationIds: 'all', values: {} },
  'post /v1/connections/{id}/steps/terms': {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'intruder',
  },
};
const validQueries: Record<string, string> = {
  'post /v1/connections/{id}/resend': '?since=2000-01-01T00:00:00Z',
  'get /v1/connections/{id}/stats': '?days=7',
};

type Answer = Awaited<ReturnType<TestRelais['api']>>;

/** Routes without an id: what the intruder may do there, and proof it reaches nothing of the owner's. */
const tenantWideChecks: Record<string, () => Promise<void>> = {
  'get /v1/integrations': async () => {
    const theirs = await relais.api('GET', '/v1/integrations', undefined, { tenant: intruder });
    const ours = await relais.api('GET', '/v1/integrations', undefined, { tenant: owner });
    assert.equal(theirs.status, 200);
    assert.deepEqual(theirs.body, ours.body, 'the catalogue holds no tenant data');
  },
  'get /v1/integrations/{connectorId}': async () => {
    const theirs = await relais.api('GET', '/v1/integrations/sftp', undefined, { tenant: intruder });
    const ours = await relais.api('GET', '/v1/integrations/sftp', undefined, { tenant: owner });
    assert.equal(theirs.status, 200);
    assert.deepEqual(theirs.body, ours.body, 'the catalogue holds no tenant data');
  },
  'get /v1/connections': async () => {
    for (const query of ['', '?status=active', '?status=setting-up', '?documentType=purchase-invoice']) {
      const answer = await relais.api('GET', `/v1/connections${query}`, undefined, { tenant: intruder });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.connections, [], `GET /v1/connections${query}`);
    }
  },
  'post /v1/connections': async () => {
    const created = await relais.api(
      'POST',
      '/v1/connections',
      { connectorId: 'dropbox', documentType: 'purchase-invoice' },
      { tenant: intruder },
    );
    assert.equal(created.status, 201, 'a connection of its own');
    assert.ok(!ids.connection.includes(created.body.connection.id));
  },
  'post /v1/documents': async () => {
    // The owner's very invoice: for the intruder it is a new document of its own, delivered nowhere.
    const accepted = await acceptDocument(relais, ublBeInvoice('ISOLATION-1'), { tenant: intruder });
    assert.equal(accepted.duplicate, false);
    assert.notEqual(accepted.documentId, ids.document[0]);
    assert.deepEqual(accepted.deliveries, []);
  },
  'get /v1/webhooks': async () => {
    const answer = await relais.api('GET', '/v1/webhooks', undefined, { tenant: intruder });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.webhooks, []);
  },
  'post /v1/webhooks': async () => {
    const created = await relais.api(
      'POST',
      '/v1/webhooks',
      { url: `${receiver.url}/intruder`, eventTypes: ['delivery.delivered'] },
      { tenant: intruder },
    );
    assert.equal(created.status, 201, 'a webhook of its own');
    assert.ok(!ids.webhook.includes(created.body.webhook.id));
  },
  'get /v1/deliveries': async () => {
    for (const query of [
      '',
      '?status=delivered',
      `?connectionId=${ids.connection[0]}`,
      `?documentId=${ids.document[0]}`,
    ]) {
      const answer = await relais.api('GET', `/v1/deliveries${query}`, undefined, { tenant: intruder });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.deliveries, [], `GET /v1/deliveries${query}`);
    }
  },
};

function documentedOperations(): { method: string; path: string }[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method, path })),
  );
}

test("another tenant's key on every route: 404 like a non-existent id, empty lists, nothing of the owner's changed", async () => {
  const operations = documentedOperations();
  assert.ok(operations.length >= 15, `the OpenAPI document lists the routes (${operations.length})`);
  for (const key of Object.keys(tenantWideChecks)) {
    assert.ok(
      operations.some(({ method, path }) => `${method} ${path}` === key),
      `${key} is no longer a route`,
    );
  }
  const ownerBefore = await tenantRows(relais.db.pool, owner.id);
  const setupBefore = (await relais.api('GET', `/v1/connections/${ids.connection[1]}`)).body.connection;

  for (const { method, path } of operations) {
    const key = `${method} ${path}`;
    if (!path.includes('{id}')) {
      const check = tenantWideChecks[key];
      if (!check)
        assert.fail(`${method.toUpperCase()} ${path}: add a cross-tenant check for it to this test`);
      await check();
      continue;
    }
    const call = (id: string, tenant: TestTenant): Promise<Answer> =>
      relais.api(
        method.toUpperCase(),
        `${path.replace('{id}', id).replace('{deliveryId}', webhookDeliveryIds[0]!)}${validQueries[key] ?? ''}`,
        validBodies[key],
        { tenant },
      );
    const missing = await call(randomUUID(), intruder);
    assert.equal(missing.status, 404, `${key} on an unknown id: ${JSON.stringify(missing.body)}`);
    for (const id of ids[idKind(path)]) {
      const answer = await call(id, intruder);
      assert.equal(answer.status, 404, `${key} on the owner's ${id}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(
        { error: answer.body.error, message: answer.body.message },
        { error: missing.body.error, message: missing.body.message },
        `${key}: the owner's id answers exactly like an id that does not exist`,
      );
    }
  }

  assert.deepEqual(
    await tenantRows(relais.db.pool, owner.id),
    ownerBefore,
    "none of the owner's rows changed",
  );
  const setupAfter = (await relais.api('GET', `/v1/connections/${ids.connection[1]}`)).body.connection;
  assert.deepEqual(setupAfter, setupBefore, "the owner's setup is where it was");
  const owned = await relais.api('GET', `/v1/deliveries/${ids.delivery[0]}`);
  assert.equal(owned.body.delivery.status, 'delivered', 'the owner still sees its delivery');
  assert.equal(receiver.on('/owner').length, 2, "no resend of the owner's webhook deliveries");
});

test("OAuth: the owner's sign-in cannot be completed from another tenant's browser or into its connection", async () => {
  const ownerSetup = await startSignIn(owner, 'sales-invoice');
  const intruderSetup = await startSignIn(intruder, 'sales-invoice');
  const open = async (startUrl: string) => {
    const start = await fetch(startUrl, { redirect: 'manual' });
    assert.equal(start.status, 302);
    return {
      cookie: start.headers.get('set-cookie')!.split(';')[0]!,
      providerUrl: start.headers.get('location')!,
    };
  };
  const ownerBrowser = await open(ownerSetup.startUrl);
  const intruderBrowser = await open(intruderSetup.startUrl);
  // Two consents for the owner's request: two codes, both bound to the owner's PKCE challenge.
  const ownerCallback = new URL(await dropbox.consent(ownerBrowser.providerUrl, 'allow'));
  const interceptedCode = new URL(await dropbox.consent(ownerBrowser.providerUrl, 'allow')).searchParams.get(
    'code',
  )!;
  const stored = () => tenantRows(relais.db.pool, owner.id);
  const ownerRows = await stored();

  for (const cookie of [intruderBrowser.cookie, undefined]) {
    const replayed = await fetch(ownerCallback, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    assert.equal(replayed.status, 400, "the owner's answer from another browser");
    assert.match(await replayed.text(), /started in another browser/);
  }
  assert.deepEqual(await stored(), ownerRows, "the owner's state is still unused");

  // The intercepted code, brought back through the intruder's own sign-in: its PKCE verifier does not match.
  const spliced = new URL(ownerCallback);
  spliced.searchParams.set('state', new URL(intruderSetup.startUrl).pathname.split('/').pop()!);
  spliced.searchParams.set('code', interceptedCode);
  const splicedAnswer = await fetch(spliced, {
    redirect: 'manual',
    headers: { cookie: intruderBrowser.cookie },
  });
  assert.equal(splicedAnswer.status, 303);
  assert.equal(new URL(splicedAnswer.headers.get('location')!).searchParams.get('status'), 'error');
  const intruderConnection = await relais.api('GET', `/v1/connections/${intruderSetup.id}`, undefined, {
    tenant: intruder,
  });
  assert.equal(intruderConnection.body.connection.setup.currentStep, 'oauth');
  assert.equal(intruderConnection.body.connection.setup.authorization, null);
  const { rows: intruderGrants } = await relais.db.pool.query(
    'select id from authorizations where tenant_id = $1',
    [intruder.id],
  );
  assert.deepEqual(intruderGrants, [], 'no authorization for the intruder');
  assert.deepEqual(await stored(), ownerRows, 'nothing of the owner’s changed');

  // The owner's own browser completes the owner's sign-in, once.
  const completed = await fetch(ownerCallback, {
    redirect: 'manual',
    headers: { cookie: ownerBrowser.cookie },
  });
  assert.equal(completed.status, 303);
  const back = new URL(completed.headers.get('location')!);
  assert.equal(back.searchParams.get('status'), 'ok', back.searchParams.get('message') ?? '');
  assert.equal(back.searchParams.get('connectionId'), ownerSetup.id);
  const again = await fetch(ownerCallback, { redirect: 'manual', headers: { cookie: ownerBrowser.cookie } });
  assert.equal(again.status, 400, 'a state is spent once');
});

const execFileAsync = promisify(execFile);

/** `npm run tenant -- <args>` against this test's database, as an operator runs it. */
async function tenantCommand(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('npm', ['run', '--silent', 'tenant', '--', ...args], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: relais.db.url },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('the admin command creates, lists and revokes API keys; a revoked key gets 401 on its next request', async () => {
  const created = await tenantCommand('key', 'create', owner.id, '--json');
  assert.equal(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout);
  assert.equal(key.tenantId, owner.id);
  assert.ok(key.apiKey.startsWith(key.prefix));
  const second: TestTenant = { ...owner, apiKey: key.apiKey };
  assert.equal(
    (await relais.api('GET', `/v1/connections/${ids.connection[0]}`, undefined, { tenant: second })).status,
    200,
  );

  const { rows } = await relais.db.pool.query('select * from api_keys where id = $1', [key.keyId]);
  assert.deepEqual(rows[0].key_hash, createHash('sha256').update(key.apiKey).digest(), 'stored hashed');
  assert.ok(!JSON.stringify(rows).includes(key.apiKey), 'the key itself is not stored');
  const listed = await tenantCommand('key', 'list', owner.id, '--json');
  assert.ok(!listed.stdout.includes(key.apiKey), 'listing shows prefixes, never keys');
  assert.ok(JSON.parse(listed.stdout).keys.some((k: { id: string }) => k.id === key.keyId));

  const revoked = await tenantCommand('key', 'revoke', key.prefix);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, new RegExp(`^Revoked ${key.prefix}`));
  const refused = await relais.api('GET', '/v1/connections', undefined, { tenant: second });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error, 'unauthenticated');
  assert.match(refused.body.message, /unknown or revoked/);
  assert.equal(
    (await relais.api('GET', '/v1/connections')).status,
    200,
    "the tenant's other key still works",
  );

  const twice = await tenantCommand('key', 'revoke', key.keyId);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /No active API key has the id or prefix/);
  const unknownTenant = await tenantCommand('key', 'create', randomUUID());
  assert.equal(unknownTenant.code, 1);
  assert.match(unknownTenant.stderr, /There is no tenant with the id/);

  const newTenant = await tenantCommand('create', 'Admin-made', 'company', '--json');
  assert.equal(newTenant.code, 0, newTenant.stderr);
  const made = JSON.parse(newTenant.stdout);
  const theirs = await relais.api('GET', '/v1/connections', undefined, {
    tenant: { ...owner, id: made.tenantId, apiKey: made.apiKey },
  });
  assert.equal(theirs.status, 200);
  assert.deepEqual(theirs.body.connections, [], 'a new tenant starts with nothing');
});
