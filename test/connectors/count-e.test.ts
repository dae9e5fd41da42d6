/*
 * The Count-e client against its contract fake (the ASSUMED contract of connectors/count-e/README.md),
 * over real https on loopback with a certificate made for this test: login at setup, exactly-once
 * filing tagged with the tenant's customer number, classification, and the SSRF guard on the API URL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import countE from '../../connectors/count-e';
import type { ConnectorImplementation, Credentials, Settings } from '../../connectors/types';
import { startCountEFake, type CountEFake } from '../fakes/count-e';
import { deliveryOf, rejectsWith, ssrfCases } from '../helpers/assumed-target';
import { makeTestCertificate, type TestCertificate } from '../helpers/test-certificate';

const LOGIN = { username: 'j.peeters', password: 'Zomer2026!' };
const DATABASE = 'KANTOOR_PEETERS_2026';
const CUSTOMER_NUMBER = 'C-104233';

let certificate: TestCertificate;
let fake: CountEFake;
let connector: ConnectorImplementation;

function connectorWith(env: Record<string, string>): ConnectorImplementation {
  return countE.create(countE.configSchema.parse(env));
}

before(async () => {
  certificate = makeTestCertificate();
  fake = await startCountEFake({ ...LOGIN, databases: [DATABASE] }, certificate);
  connector = connectorWith({
    RELAIS_NETWORK_ALLOW: '127.0.0.0/8',
    RELAIS_NETWORK_CA_FILE: certificate.caFile,
  });
});
after(async () => {
  await fake?.close();
  certificate?.remove();
});

const values = (overrides: Record<string, unknown> = {}) => ({
  ...LOGIN,
  apiUrl: `${fake.url}/`,
  database: DATABASE,
  customerNumber: CUSTOMER_NUMBER,
  ...overrides,
});
const connection = (overrides: Settings = {}, password = LOGIN.password): [Settings, Credentials] => [
  {
    username: LOGIN.username,
    apiUrl: fake.url,
    database: DATABASE,
    customerNumber: CUSTOMER_NUMBER,
    ...overrides,
  },
  { kind: 'secrets', secrets: { password } },
];
const ourCompany = { company: { externalId: CUSTOMER_NUMBER } };

test('setup: one login; the password is kept as a secret, the rest as settings', async () => {
  const sent = fake.log.length;
  const checked = await connector.checkCredentials!({ values: values(), settings: {} });
  assert.deepEqual(checked.secrets, { password: LOGIN.password });
  assert.deepEqual(checked.settings, {
    username: LOGIN.username,
    apiUrl: `${fake.url}/`,
    database: DATABASE,
    customerNumber: CUSTOMER_NUMBER,
  });
  assert.deepEqual(
    fake.log.slice(sent).map(({ method, path, status }) => ({ method, path, status })),
    [{ method: 'POST', path: '/api/v1/login', status: 200 }],
  );
});

test('setup refusals carry Count-e’s words: wrong password, unknown database', async () => {
  await rejectsWith(
    connector.checkCredentials!({ values: values({ password: 'Winter2025' }), settings: {} }),
    'invalid-credentials',
    /^Count-e refused these details: Unknown user name or wrong password\. Check them and try again\.$/,
  );
  await rejectsWith(
    connector.checkCredentials!({ values: values({ database: 'OTHER' }), settings: {} }),
    'invalid-credentials',
    /^Count-e refused these details: Database OTHER does not exist for this user\. Check them and try again\.$/,
  );
  await rejectsWith(
    connector.checkCredentials!({ values: values({ customerNumber: '' }), settings: {} }),
    'invalid-credentials',
    /Enter your customer number/,
  );
});

test('delivery: login, lookup, filing tagged with the customer number, exactly once', async () => {
  const deliveryId = randomUUID();
  const input = deliveryOf(deliveryId, ...connection(), ourCompany);
  const first = await connector.deliver!(input);
  assert.equal(first.alreadyPresent, false);
  const filed = fake.documents.filter((d) => d.externalId === deliveryId);
  assert.equal(filed.length, 1);
  assert.equal(filed[0]!.scope, DATABASE);
  assert.deepEqual(filed[0]!.tags, { 'x-customer-number': CUSTOMER_NUMBER });
  assert.ok(filed[0]!.content.equals(input.content));

  fake.dropUploadAnswers(1);
  const lostId = randomUUID();
  const lost = deliveryOf(lostId, ...connection(), ourCompany);
  await rejectsWith(connector.deliver!(lost), 'unavailable', /^Count-e could not be reached to file invoice/);
  assert.equal((await connector.deliver!(lost)).alreadyPresent, true);
  assert.equal((await connector.deliver!(input)).alreadyPresent, true);
  assert.equal(
    fake.documents.filter((d) => d.externalId === deliveryId || d.externalId === lostId).length,
    2,
  );
});

test('a customer number that is not the tenant’s own sends nothing', async () => {
  const sent = fake.log.length;
  await rejectsWith(
    connector.deliver!(deliveryOf(randomUUID(), ...connection(), { company: { externalId: 'C-999999' } })),
    'misconfigured',
    /set up with customer number C-104233, but this company's customer number is C-999999/,
  );
  assert.equal(fake.log.length, sent);
});

test('delivery classifies Count-e’s answers', async () => {
  const deliver = () => connector.deliver!(deliveryOf(randomUUID(), ...connection(), ourCompany));
  // The stored password no longer works: the connection needs the user again.
  await rejectsWith(
    connector.deliver!(deliveryOf(randomUUID(), ...connection({}, 'old-password'), ourCompany)),
    'auth-expired',
    /Unknown user name or wrong password/,
  );
  fake.answerNext({ status: 403, pathEndsWith: '/documents', body: { message: 'Read-only user' } });
  await rejectsWith(deliver(), 'auth-expired', /Read-only user/);
  fake.answerNext({ status: 429, headers: { 'retry-after': '7' } });
  assert.equal((await rejectsWith(deliver(), 'rate-limited', /slow down/)).retryAfterMs, 7_000);
  fake.answerNext({ status: 503, headers: { 'retry-after': '60' } });
  assert.equal((await rejectsWith(deliver(), 'unavailable', /right now/)).retryAfterMs, 60_000);
  fake.answerNext({ status: 502 });
  await rejectsWith(deliver(), 'unavailable', /^Count-e could not sign in to database .* right now\.$/);
  fake.answerNext({
    status: 400,
    method: 'POST',
    pathEndsWith: '/documents',
    body: { error: 'Unknown VAT code 21B' },
  });
  await rejectsWith(deliver(), 'rejected', /^Count-e refused to file invoice .*: Unknown VAT code 21B$/);
  fake.answerNext({ status: 200, pathEndsWith: '/login', body: 'welcome' });
  await rejectsWith(deliver(), 'unavailable', /unexpected form/);
});

test('SSRF: http, the metadata service, loopback, a name resolving to loopback, a private address and redirects are refused before any request', async () => {
  const guarded = connectorWith({ RELAIS_NETWORK_CA_FILE: certificate.caFile });
  for (const { url, allowLoopback, refusal } of ssrfCases(fake.url)) {
    const subject = allowLoopback ? connector : guarded;
    const sent = fake.log.length;
    if (!url.startsWith('http:')) {
      await rejectsWith(
        subject.checkCredentials!({ values: values({ apiUrl: url }), settings: {} }),
        'misconfigured',
        refusal,
      );
    }
    await rejectsWith(
      subject.deliver!(deliveryOf(randomUUID(), ...connection({ apiUrl: url }), ourCompany)),
      'misconfigured',
      refusal,
    );
    assert.equal(fake.log.length, sent, `nothing was sent for ${url}`);
  }
  await rejectsWith(
    connector.checkCredentials!({
      values: values({ apiUrl: fake.url.replace('https:', 'http:') }),
      settings: {},
    }),
    'invalid-credentials',
    /https:\/\//,
  );
  for (const [location, refusal] of [
    ['https://192.168.1.10/api/v1/login', /^192\.168\.1\.10 is a private network address/],
    ['https://169.254.169.254/latest/meta-data/', /metadata service/],
  ] as const) {
    fake.answerNext({ status: 307, headers: { location } });
    const sent = fake.log.length;
    await rejectsWith(
      connector.checkCredentials!({ values: values(), settings: {} }),
      'misconfigured',
      refusal,
    );
    assert.equal(fake.log.length, sent + 1, 'only the redirecting request reached the fake');
  }
});
