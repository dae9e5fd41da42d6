import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { historyText } from '../helpers/browser';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startSshServer, type SshServer } from '../helpers/sshd';

let relais: TestRelais;
let sshd: SshServer;

before(async () => {
  sshd = await startSshServer();
  relais = await startTestRelais({ RELAIS_OUTBOUND_IPS: '203.0.113.7,203.0.113.8' });
});
after(async () => {
  await relais?.close();
  await sshd?.stop();
});

const credentials = (overrides: Record<string, unknown> = {}) => ({
  values: {
    username: sshd.username,
    password: sshd.password,
    host: sshd.host,
    port: sshd.port,
    uploadPath: 'Invoice_import/[invoice_type]/[year]/',
    ...overrides,
  },
});

async function createSftpConnection() {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'sftp',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id as string;
}

test('the catalogue lists all 13 targets in the asked language, SFTP with the outbound IPs', async () => {
  const fr = await relais.api('GET', '/v1/integrations?lang=fr');
  assert.equal(fr.status, 200);
  assert.equal(fr.body.integrations.length, 13);
  const sftp = fr.body.integrations.find((i: { id: string }) => i.id === 'sftp');
  assert.deepEqual(sftp.outboundIpAddresses, ['203.0.113.7', '203.0.113.8']);
  assert.ok(sftp.help.includes('203.0.113.7, 203.0.113.8'), 'the help names the configured addresses');
  assert.equal(sftp.available, true);
  const nl = await relais.api('GET', '/v1/integrations?lang=nl', undefined, { headers: {} });
  assert.notEqual(nl.body.integrations[0].help, fr.body.integrations[0].help);
  // Connectors listed but not implemented are refused at creation (none is left since issue 13).
  for (const listed of fr.body.integrations.filter((i: { available: boolean }) => !i.available)) {
    const unavailable = await relais.api('POST', '/v1/connections', {
      connectorId: listed.id,
      documentType: 'purchase-invoice',
    });
    assert.equal(unavailable.status, 422);
    assert.equal(unavailable.body.error, 'connector-unavailable');
  }
});

test('SFTP setup: format, wrong password (422, retry), credentials, terms → active; no secret in history', async () => {
  const id = await createSftpConnection();
  let read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'setting-up');
  assert.equal(read.body.connection.setup.currentStep, 'format');

  const outOfOrder = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials());
  assert.equal(outOfOrder.status, 409);
  assert.equal(outOfOrder.body.error, 'step-not-current');

  const format = await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  assert.equal(format.status, 200, JSON.stringify(format.body));
  assert.equal(format.body.connection.setup.currentStep, 'credentials');

  const badField = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/credentials`,
    credentials({ port: 70000 }),
  );
  assert.equal(badField.status, 400);
  assert.equal(badField.body.details[0].path, 'values.port');

  const wrong = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/credentials`,
    credentials({ password: 'Wrong-Pa55!' }),
  );
  assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
  assert.equal(wrong.body.error, 'target-refused');
  assert.doesNotMatch(JSON.stringify(wrong.body), /Wrong-Pa55!/);
  read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.setup.currentStep, 'credentials', 'the step can be retried');
  assert.equal(read.body.connection.setup.lastError.code, 'invalid-credentials');

  const good = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials());
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(good.body.connection.setup.currentStep, 'terms');
  assert.equal(good.body.connection.settings.hostKeyFingerprint, sshd.hostKeyFingerprint);
  assert.equal(good.body.connection.settings.password, undefined);

  const terms = await relais.api(
    'POST',
    `/v1/connections/${id}/steps/terms`,
    { accepted: true, termsVersion: '2026-01' },
    { headers: { 'x-relais-user': 'alice@example.test' } },
  );
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
  assert.equal(read.body.connection.setup, null);

  const { rows: consents } = await relais.db.pool.query(
    'select terms_version, accepted_by from consents where connection_id = $1',
    [id],
  );
  assert.deepEqual(consents, [{ terms_version: '2026-01', accepted_by: 'alice@example.test' }]);
  const { rows: stored } = await relais.db.pool.query('select ciphertext from authorizations');
  assert.ok(
    stored.length >= 1 && stored.every((row) => !row.ciphertext.includes(sshd.password)),
    'encrypted at rest',
  );

  // Decrypted: secrets must not enter the workflow's payloads at all, encrypted or not.
  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(sshd.username), 'the scan reads decoded payloads');
  assert.ok(!history.includes(sshd.password), 'the password is not in workflow history');
  assert.ok(!history.includes('Wrong-Pa55!'), 'the wrong password is not in workflow history either');
});

test('a changed host key is refused at re-authorization, with both fingerprints', async () => {
  const id = await createSftpConnection();
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'peppol-bis-3' });
  assert.equal(
    (await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials())).status,
    200,
  );
  await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'bob',
  });
  const before = sshd.hostKeyFingerprint;
  const after = await sshd.rotateHostKey();

  const reauth = await relais.api('POST', `/v1/connections/${id}/reauthorize`);
  assert.equal(reauth.status, 200, JSON.stringify(reauth.body));
  assert.equal(reauth.body.connection.id, id, 'the connection keeps its id');
  assert.equal(reauth.body.connection.setup.currentStep, 'credentials');
  const refused = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials());
  assert.equal(refused.status, 422);
  assert.match(refused.body.message, new RegExp(before.replace(/[+/]/g, '.')));
  assert.match(refused.body.message, new RegExp(after.replace(/[+/]/g, '.')));
  const cancelled = await relais.api('POST', `/v1/connections/${id}/cancel`);
  assert.equal(cancelled.status, 200);
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(
    read.body.connection.status,
    'active',
    'a cancelled re-authorization leaves the connection as it was',
  );
});

test('another tenant sees nothing: 404 on read, step, cancel', async () => {
  const id = await createSftpConnection();
  const other = await relais.createTenant('Other');
  for (const [method, path] of [
    ['GET', `/v1/connections/${id}`],
    ['POST', `/v1/connections/${id}/steps/format`],
    ['POST', `/v1/connections/${id}/cancel`],
    ['POST', `/v1/connections/${id}/reauthorize`],
  ] as const) {
    const response = await relais.api(method, path, method === 'POST' ? { format: 'ubl-be-3' } : undefined, {
      tenant: other,
    });
    assert.equal(response.status, 404, `${method} ${path}`);
  }
  const list = await relais.api('GET', '/v1/connections', undefined, { tenant: other });
  assert.deepEqual(list.body.connections, []);
});

test('the worker restarted in the middle of a setup: the setup completes', async () => {
  const id = await createSftpConnection();
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  await relais.temporal.stopWorker();
  await relais.temporal.startWorker();
  assert.equal(
    (await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials())).status,
    200,
  );
  await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'carol',
  });
  assert.equal((await relais.api('GET', `/v1/connections/${id}`)).body.connection.status, 'active');
});
