/*
 * BoCount and Count-e set up through the API against their contract fakes (https on loopback, trusted
 * through RELAIS_NETWORK_CA_FILE), then one document delivered to each exactly once, with the answer of
 * the first upload lost on the way back (the retried attempt finds the document by our delivery id).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { startBocountFake, type BocountFake } from '../fakes/bocount';
import { startCountEFake, type CountEFake } from '../fakes/count-e';
import { historyText } from '../helpers/browser';
import { logLines } from '../helpers/log-capture';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { makeTestCertificate, type TestCertificate } from '../helpers/test-certificate';

const BOCOUNT_USER = { username: 'ws-klant-0042', password: 'Bo-count-secret-42' };
const COUNT_E_LOGIN = { username: 'j.peeters', password: 'Zomer2026!-count-e' };
const COMPANY = 'BE0123456749';
const DATABASE = 'KANTOOR_PEETERS_2026';
const CUSTOMER_NUMBER = 'C-104233';

let certificate: TestCertificate;
let bocount: BocountFake;
let countE: CountEFake;
let relais: TestRelais;

before(async () => {
  certificate = makeTestCertificate();
  bocount = await startBocountFake(
    { ...BOCOUNT_USER, companies: { [COMPANY]: 'Bakkerij Peeters BV' } },
    certificate,
  );
  countE = await startCountEFake({ ...COUNT_E_LOGIN, databases: [DATABASE] }, certificate);
  relais = await startTestRelais({ RELAIS_NETWORK_CA_FILE: certificate.caFile });
  await relais.db.pool.query('update tenants set customer_number = $1 where id = $2', [
    CUSTOMER_NUMBER,
    relais.tenant.id,
  ]);
});
after(async () => {
  await relais?.close();
  await bocount?.close();
  await countE?.close();
  certificate?.remove();
});

async function createConnection(connectorId: string, documentType: string): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', { connectorId, documentType });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id as string;
}

const credentialsStep = (id: string, values: Record<string, unknown>) =>
  relais.api('POST', `/v1/connections/${id}/steps/credentials`, { values });

test('the catalogue offers both as available, flagged as talking to an assumed contract', async () => {
  const { body } = await relais.api('GET', '/v1/integrations?lang=en');
  for (const id of ['bocount', 'count-e']) {
    const entry = body.integrations.find((i: { id: string }) => i.id === id);
    assert.equal(entry.available, true, id);
    assert.equal(entry.assumedContract, true, id);
  }
  const sftp = body.integrations.find((i: { id: string }) => i.id === 'sftp');
  assert.equal(sftp.assumedContract, false);
});

test('BoCount: field errors (400), a refused password and a metadata URL (422), then active; delivered exactly once', async () => {
  const id = await createConnection('bocount', 'purchase-invoice');
  const good = { ...BOCOUNT_USER, companyNumber: 'BE 0123.456.749', baseUrl: bocount.url };

  const badVat = await credentialsStep(id, { ...good, companyNumber: 'BE0123456748' });
  assert.equal(badVat.status, 400);
  assert.equal(badVat.body.details[0].path, 'values.companyNumber');
  assert.match(badVat.body.details[0].message, /last two digits do not match/);

  const wrong = await credentialsStep(id, { ...good, password: 'Wrong-Bo-42' });
  assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
  assert.equal(wrong.body.error, 'target-refused');
  assert.match(
    wrong.body.message,
    /BoCount refused these details: Invalid web service user name or password/,
  );
  assert.doesNotMatch(JSON.stringify(wrong.body), /Wrong-Bo-42/);

  const sent = bocount.log.length;
  const metadata = await credentialsStep(id, { ...good, baseUrl: 'https://169.254.169.254/latest/' });
  assert.equal(metadata.status, 422, JSON.stringify(metadata.body));
  assert.match(metadata.body.message, /169\.254\.169\.254 is a link-local address .*metadata service/);
  assert.equal(bocount.log.length, sent);

  const accepted = await credentialsStep(id, good);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
  assert.equal(read.body.connection.settings.companyNumber, COMPANY);
  assert.equal(read.body.connection.settings.password, undefined);

  bocount.dropUploadAnswers(1);
  const document = await acceptDocument(relais, ublBeInvoice('BOCOUNT-1'));
  const deliveryId = document.deliveries.find((d: { connectionId: string }) => d.connectionId === id).id;
  const delivered = await waitForStatus(relais, deliveryId, 'delivered');
  const filed = bocount.documents.filter((d) => d.externalId === deliveryId);
  assert.equal(filed.length, 1, 'filed once although the first answer was lost');
  assert.equal(filed[0]!.scope, COMPANY);
  assert.equal(filed[0]!.documentType, 'purchase');
  assert.match(filed[0]!.content.toString('utf8'), /BOCOUNT-1/);
  assert.equal(delivered.receipt.remoteId, filed[0]!.id);
  assert.equal(delivered.receipt.alreadyPresent, true, 'the second attempt found what the first filed');
  assert.equal(delivered.attempts, 2);
  assert.equal(bocount.log.filter((r) => r.method === 'POST').length, 1, 'one upload: the retry found it');

  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(BOCOUNT_USER.username), 'the scan reads decoded payloads');
  assert.ok(!history.includes(BOCOUNT_USER.password), 'the password is not in workflow history');
});

test('Count-e: credentials and terms, then a document tagged with the tenant’s customer number, exactly once', async () => {
  const id = await createConnection('count-e', 'sales-invoice');
  const good = { ...COUNT_E_LOGIN, apiUrl: countE.url, database: DATABASE, customerNumber: CUSTOMER_NUMBER };

  const wrongDatabase = await credentialsStep(id, { ...good, database: 'OTHER' });
  assert.equal(wrongDatabase.status, 422, JSON.stringify(wrongDatabase.body));
  assert.match(wrongDatabase.body.message, /Database OTHER does not exist for this user/);

  const http = await credentialsStep(id, { ...good, apiUrl: countE.url.replace('https:', 'http:') });
  assert.equal(http.status, 400);
  assert.equal(http.body.details[0].path, 'values.apiUrl');

  assert.equal((await credentialsStep(id, good)).status, 200);
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'count-e-tests@example.test',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  assert.equal(terms.body.connection.status, 'active');

  countE.dropUploadAnswers(1);
  const document = await acceptDocument(relais, ublBeInvoice('COUNTE-1'), { documentType: 'sales-invoice' });
  const deliveryId = document.deliveries.find((d: { connectionId: string }) => d.connectionId === id).id;
  const delivered = await waitForStatus(relais, deliveryId, 'delivered');
  assert.equal(delivered.attempts, 2, 'the first answer was lost');
  assert.equal(delivered.receipt.alreadyPresent, true);
  const filed = countE.documents.filter((d) => d.externalId === deliveryId);
  assert.equal(filed.length, 1);
  assert.equal(filed[0]!.scope, DATABASE);
  assert.equal(filed[0]!.documentType, 'sales');
  assert.deepEqual(filed[0]!.tags, { 'x-customer-number': CUSTOMER_NUMBER });

  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(COUNT_E_LOGIN.username));
  assert.ok(!history.includes(COUNT_E_LOGIN.password), 'the password is not in workflow history');
});

test('no password (right or wrong, nor the Basic header made of it) in the logs or the stored errors', async () => {
  const { rows: errors } = await relais.db.pool.query(
    'select last_error from deliveries union all select status_message from connections',
  );
  const stored = JSON.stringify(errors);
  const logs = logLines.join('\n');
  assert.ok(logs.includes('/v1/connections/'), 'the scan reads the request logs');
  const secrets = {
    'BoCount password': BOCOUNT_USER.password,
    'BoCount Basic credentials': Buffer.from(`${BOCOUNT_USER.username}:${BOCOUNT_USER.password}`).toString(
      'base64',
    ),
    'wrong BoCount password': 'Wrong-Bo-42',
    'Count-e password': COUNT_E_LOGIN.password,
  };
  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(!logs.includes(secret), `the ${what} is in the logs`);
    assert.ok(!stored.includes(secret), `the ${what} is in a stored error`);
  }
});
