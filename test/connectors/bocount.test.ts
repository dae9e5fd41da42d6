/*
 * The BoCount client against its contract fake (the ASSUMED contract of connectors/bocount/README.md),
 * over real https on loopback with a certificate made for this test: setup check, exactly-once filing,
 * classification of the target's answers, and the SSRF guard on the user-typed base URL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import bocount from '../../connectors/bocount';
import type { ConnectorImplementation, Credentials, Settings } from '../../connectors/types';
import { startBocountFake, type BocountFake } from '../fakes/bocount';
import { deliveryOf, rejectsWith, ssrfCases } from '../helpers/assumed-target';
import { makeTestCertificate, type TestCertificate } from '../helpers/test-certificate';

const USER = { username: 'ws-klant-0042', password: 'Bo-count-secret-42' };
const COMPANY = 'BE0123456749';

let certificate: TestCertificate;
let fake: BocountFake;
let connector: ConnectorImplementation;

function connectorWith(env: Record<string, string>): ConnectorImplementation {
  return bocount.create(bocount.configSchema.parse(env));
}

before(async () => {
  certificate = makeTestCertificate();
  fake = await startBocountFake({ ...USER, companies: { [COMPANY]: 'Bakkerij Peeters BV' } }, certificate);
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
  ...USER,
  companyNumber: COMPANY,
  baseUrl: `${fake.url}/`,
  ...overrides,
});
const connection = (overrides: Settings = {}): [Settings, Credentials] => [
  { username: USER.username, companyNumber: COMPANY, baseUrl: fake.url, ...overrides },
  { kind: 'secrets', secrets: { password: USER.password } },
];

test('setup: one read of the company; the password is kept as a secret, the VAT number normalized', async () => {
  const before = fake.log.length;
  const checked = await connector.checkCredentials!({
    values: values({ companyNumber: 'be 0123.456.749' }),
    settings: {},
  });
  assert.deepEqual(checked.secrets, { password: USER.password });
  assert.deepEqual(checked.settings, {
    username: USER.username,
    companyNumber: COMPANY,
    baseUrl: `${fake.url}/`,
  });
  assert.equal(checked.account?.name, 'Bakkerij Peeters BV');
  assert.deepEqual(
    fake.log
      .slice(before)
      .map(({ method, path, authorization, status }) => ({ method, path, authorization, status })),
    [{ method: 'GET', path: `/api/v1/companies/${COMPANY}`, authorization: 'Basic', status: 200 }],
  );
  assert.ok(!JSON.stringify(checked.settings).includes(USER.password));
});

test('setup refusals carry BoCount’s words: wrong password, unknown company, a VAT number failing mod-97', async () => {
  const wrong = await rejectsWith(
    connector.checkCredentials!({ values: values({ password: 'nope' }), settings: {} }),
    'invalid-credentials',
    /^BoCount refused these details: Invalid web service user name or password\. Check them and try again\.$/,
  );
  assert.ok(!wrong.message.includes('nope'));
  await rejectsWith(
    connector.checkCredentials!({ values: values({ companyNumber: 'BE0403170701' }), settings: {} }),
    'invalid-credentials',
    /Company BE0403170701 is not linked to this web service user/,
  );
  await rejectsWith(
    connector.checkCredentials!({ values: values({ companyNumber: 'BE0123456748' }), settings: {} }),
    'invalid-credentials',
    /the last two digits do not match/,
  );
});

test('https is real: without the test CA the fake’s certificate is refused (nothing is sent in clear)', async () => {
  const untrusting = connectorWith({ RELAIS_NETWORK_ALLOW: '127.0.0.0/8' });
  const sent = fake.log.length;
  await rejectsWith(
    untrusting.checkCredentials!({ values: values(), settings: {} }),
    'unavailable',
    /^BoCount could not be reached to open company BE0123456749 \(self[- ]signed certificate/,
  );
  assert.equal(fake.log.length, sent, 'no request reached the fake');
});

test('delivery files the document once; a second attempt finds it by our delivery id', async () => {
  const deliveryId = randomUUID();
  const input = deliveryOf(deliveryId, ...connection());
  const first = await connector.deliver!(input);
  assert.equal(first.alreadyPresent, false);
  const filed = fake.documents.filter((d) => d.externalId === deliveryId);
  assert.equal(filed.length, 1);
  assert.equal(filed[0]!.id, first.remoteId);
  assert.equal(filed[0]!.scope, COMPANY);
  assert.equal(filed[0]!.documentType, 'purchase');
  assert.equal(filed[0]!.fileName, input.fileName);
  assert.ok(filed[0]!.content.equals(input.content));

  const again = await connector.deliver!(input);
  assert.deepEqual(again, { remoteId: first.remoteId, alreadyPresent: true });
  assert.equal(fake.documents.filter((d) => d.externalId === deliveryId).length, 1);
});

test('an answer lost after BoCount stored the document: retried, it is not filed twice', async () => {
  const deliveryId = randomUUID();
  const input = deliveryOf(deliveryId, ...connection(), { documentType: 'sales-invoice' });
  fake.dropUploadAnswers(1);
  await rejectsWith(
    connector.deliver!(input),
    'unavailable',
    /^BoCount could not be reached to file invoice/,
  );
  assert.equal(fake.documents.filter((d) => d.externalId === deliveryId).length, 1, 'stored before the drop');
  const retried = await connector.deliver!(input);
  assert.equal(retried.alreadyPresent, true);
  assert.equal(fake.documents.filter((d) => d.externalId === deliveryId).length, 1);
  assert.equal(fake.documents.find((d) => d.externalId === deliveryId)!.documentType, 'sales');
});

test('a 409 on the upload (filed meanwhile by another attempt) counts as delivered', async () => {
  const deliveryId = randomUUID();
  fake.answerNext({ status: 409, method: 'POST', body: { message: 'Duplicate', id: 'doc-elsewhere' } });
  const receipt = await connector.deliver!(deliveryOf(deliveryId, ...connection()));
  assert.deepEqual(receipt, { remoteId: 'doc-elsewhere', alreadyPresent: true });
});

test('delivery classifies BoCount’s answers', async () => {
  const deliver = () => connector.deliver!(deliveryOf(randomUUID(), ...connection()));
  fake.answerNext({ status: 401, body: { message: 'Web service user disabled' } });
  const reauth = await rejectsWith(deliver(), 'auth-expired', /Web service user disabled/);
  assert.equal(reauth.status, 401);
  fake.answerNext({ status: 403, body: 'Forbidden for this company' });
  await rejectsWith(deliver(), 'auth-expired', /Forbidden for this company/);
  fake.answerNext({ status: 429, headers: { 'retry-after': '30' } });
  assert.equal((await rejectsWith(deliver(), 'rate-limited', /slow down/)).retryAfterMs, 30_000);
  fake.answerNext({ status: 503, headers: { 'retry-after': '120' }, body: { message: 'Maintenance' } });
  assert.equal((await rejectsWith(deliver(), 'unavailable', /Maintenance/)).retryAfterMs, 120_000);
  fake.answerNext({ status: 500, body: '<html><body>Oops</body></html>' });
  const failed = await rejectsWith(
    deliver(),
    'unavailable',
    /^BoCount could not look for invoice .* right now\.$/,
  );
  assert.equal(failed.retryAfterMs, undefined);
  fake.answerNext({
    status: 422,
    method: 'POST',
    body: { message: 'Invoice date outside the open fiscal year' },
  });
  await rejectsWith(
    deliver(),
    'rejected',
    /^BoCount refused to file invoice .*: Invoice date outside the open fiscal year$/,
  );
  // The fake's own check of the contract: a file that is not UBL is refused with its words.
  await rejectsWith(
    connector.deliver!(deliveryOf(randomUUID(), ...connection(), { content: Buffer.from('<html/>') })),
    'rejected',
    /not an e-FFF \(UBL\) invoice/,
  );
  // A connection whose stored password BoCount no longer accepts.
  const [settings] = connection();
  await rejectsWith(
    connector.deliver!(deliveryOf(randomUUID(), settings, { kind: 'secrets', secrets: { password: 'old' } })),
    'auth-expired',
    /Invalid web service user name or password/,
  );
});

test('SSRF: http, the metadata service, loopback, a name resolving to loopback, a private address and redirects are refused before any request', async () => {
  const guarded = connectorWith({ RELAIS_NETWORK_CA_FILE: certificate.caFile });
  for (const { url, allowLoopback, refusal } of ssrfCases(fake.url)) {
    const subject = allowLoopback ? connector : guarded;
    const sent = fake.log.length;
    if (!url.startsWith('http:')) {
      await rejectsWith(
        subject.checkCredentials!({ values: values({ baseUrl: url }), settings: {} }),
        'misconfigured',
        refusal,
      );
    }
    await rejectsWith(
      subject.deliver!(deliveryOf(randomUUID(), ...connection({ baseUrl: url }))),
      'misconfigured',
      refusal,
    );
    assert.equal(fake.log.length, sent, `nothing was sent for ${url}`);
  }
  // The schema refuses http before the guard is asked.
  await rejectsWith(
    connector.checkCredentials!({
      values: values({ baseUrl: fake.url.replace('https:', 'http:') }),
      settings: {},
    }),
    'invalid-credentials',
    /https:\/\//,
  );
  // Redirects: each hop is checked before it is requested.
  for (const [location, refusal] of [
    ['https://10.0.0.1/admin', /^10\.0\.0\.1 is a private network address/],
    ['https://169.254.169.254/latest/meta-data/iam/', /metadata service/],
    [`http://127.0.0.1:${new URL(fake.url).port}/api`, /only over https/],
  ] as const) {
    fake.answerNext({ status: 302, headers: { location } });
    const sent = fake.log.length;
    await rejectsWith(
      connector.checkCredentials!({ values: values(), settings: {} }),
      'misconfigured',
      refusal,
    );
    assert.equal(fake.log.length, sent + 1, 'only the redirecting request reached the fake');
  }
});
