import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInThroughBrowser } from '../helpers/browser';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startExactFake, type ExactFake } from '../fakes/exact-online';

let exact: ExactFake;
let relais: TestRelais;

before(async () => {
  exact = await startExactFake({ clientId: 'relais-exact', clientSecret: 'exact-app-secret-7' });
  relais = await startTestRelais({
    EXACT_CLIENT_ID: 'relais-exact',
    EXACT_CLIENT_SECRET: 'exact-app-secret-7',
    EXACT_SITE_URLS: JSON.stringify({ be: exact.url }),
  });
});
after(async () => {
  await relais?.close();
  await exact?.close();
});

async function createExact(documentType: string) {
  const created = await relais.api('POST', '/v1/connections', { connectorId: 'exact-online', documentType });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection;
}

async function signIn(id: string) {
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: { site: 'be' },
    returnUrl: `${relais.url}/done`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  return signInThroughBrowser(oauth.body.connection.setup.oauth.startUrl, (url) =>
    exact.consent(url, 'allow'),
  );
}

test('Exact setup: site, sign-in, administrations listed from the target, "all current and future", company code', async () => {
  const connection = await createExact('purchase-invoice');
  assert.equal(connection.setup.currentStep, 'oauth', 'no shared authorization yet: sign in first');
  const signedIn = await signIn(connection.id);
  assert.equal(signedIn.returnedTo.searchParams.get('status'), 'ok');
  assert.equal(signedIn.returnedTo.searchParams.get('step'), 'administration');

  const read = await relais.api('GET', `/v1/connections/${connection.id}`);
  const names = read.body.connection.setup.administrations.map((a: { name: string }) => a.name).sort();
  assert.deepEqual(names, ['Atelier Peeters BV', 'Brasserie Dupont SRL']);

  const unknown = await relais.api('POST', `/v1/connections/${connection.id}/steps/administration`, {
    administrationIds: ['999999'],
    values: {},
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.message, /999999/);

  const chosen = await relais.api('POST', `/v1/connections/${connection.id}/steps/administration`, {
    administrationIds: 'all',
    values: { companyCode: '1' },
  });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  await relais.api('POST', `/v1/connections/${connection.id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'erik',
  });
  const active = await relais.api('GET', `/v1/connections/${connection.id}`);
  assert.equal(active.body.connection.status, 'active');
  assert.equal(active.body.connection.settings.administrationIds, 'all');
  assert.equal(active.body.connection.settings.site, 'be');
});

test('a second Exact connection of the tenant reuses the authorization: no second sign-in', async () => {
  const tokenCallsBefore = exact.tokenCalls;
  const connection = await createExact('sales-invoice');
  assert.equal(connection.setup.currentStep, 'administration', 'the sign-in step is skipped');
  assert.equal(connection.setup.authorization.reused, true);
  assert.ok(connection.setup.administrations.length >= 2, 'listed with the shared grant');
  await relais.api('POST', `/v1/connections/${connection.id}/steps/administration`, {
    administrationIds: [connection.setup.administrations[0].id],
    values: {},
  });
  await relais.api('POST', `/v1/connections/${connection.id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'erik',
  });
  const { rows } = await relais.db.pool.query(
    `select count(distinct authorization_id)::int as authorizations, count(*)::int as connections
       from connections where tenant_id = $1 and connector_id = 'exact-online' and status = 'active'`,
    [relais.tenant.id],
  );
  assert.deepEqual(rows[0], { authorizations: 1, connections: 2 });
  assert.ok(exact.tokenCalls - tokenCallsBefore <= 1, 'at most a refresh, never a new grant');

  // Re-authorizing one of them signs in again, updates the shared grant in place, keeps both ids.
  const reauth = await relais.api('POST', `/v1/connections/${connection.id}/reauthorize`);
  assert.equal(reauth.status, 200, JSON.stringify(reauth.body));
  assert.equal(reauth.body.connection.setup.currentStep, 'oauth');
  const again = await signIn(connection.id);
  assert.equal(again.returnedTo.searchParams.get('status'), 'ok');
  const after = await relais.db.pool.query(
    `select id, status, authorization_id from connections where tenant_id = $1 and connector_id = 'exact-online' order by created_at`,
    [relais.tenant.id],
  );
  assert.equal(after.rows.length, 2);
  assert.ok(after.rows.every((row) => row.status === 'active'));
  assert.equal(new Set(after.rows.map((row) => row.authorization_id)).size, 1);
});

test('connector without client credentials: the sign-in step says so instead of failing later', async () => {
  const bare = await startTestRelais({ EXACT_SITE_URLS: JSON.stringify({ be: exact.url }) });
  try {
    const created = await bare.api('POST', '/v1/connections', {
      connectorId: 'exact-online',
      documentType: 'purchase-invoice',
    });
    const oauth = await bare.api('POST', `/v1/connections/${created.body.connection.id}/steps/oauth`, {
      values: { site: 'be' },
      returnUrl: `${bare.url}/done`,
    });
    assert.equal(oauth.status, 422);
    assert.match(oauth.body.message, /EXACT_CLIENT_ID/);
  } finally {
    await bare.close();
  }
});
