import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { historyText } from '../helpers/browser';
import { logLines } from '../helpers/log-capture';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startZenvoicesFake, type ZenvoicesFake } from '../fakes/zenvoices';

const USER = {
  tenancyName: 'peeters',
  userNameOrEmailAddress: 'boekhouding@peeters.be',
  password: 'Winter-2026!',
};

let zenvoices: ZenvoicesFake;
let relais: TestRelais;

before(async () => {
  zenvoices = await startZenvoicesFake({
    users: [USER],
    administrations: [
      { id: 3195, name: 'Peeters BV', code: 'BV01', emailAddress: '10130.3195@to-zenvoices.com' },
      { id: 3196, name: 'Peeters Vastgoed NV', code: 'NV02' },
    ],
  });
  relais = await startTestRelais({
    ZENVOICES_API_URL: zenvoices.url,
    RELAIS_MAIL_FROM: 'facturen@relais.example',
  });
});
after(async () => {
  await relais?.close();
  await zenvoices?.close();
});

const signIn = (password = USER.password) => ({
  values: { username: USER.userNameOrEmailAddress, password, organisationCode: USER.tenancyName },
});

async function createZenvoices(): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'zenvoices',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id;
}

async function acceptTerms(id: string) {
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'an@peeters.be',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
  return read.body.connection;
}

test('Zenvoices setup: refused sign-in is a 422 with Zenvoices’ message; then administration with its inbox from the API', async () => {
  const id = await createZenvoices();
  const refused = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, signIn('Zomer-2025?'));
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error, 'target-refused');
  assert.match(
    refused.body.message,
    /Zenvoices refused the sign-in: Login failed! Invalid user name or password/,
  );
  assert.doesNotMatch(JSON.stringify(refused.body), /Zomer-2025\?/);
  assert.deepEqual(zenvoices.logins.at(-1), {
    tenancyName: 'peeters',
    user: USER.userNameOrEmailAddress,
    accepted: false,
  });

  const good = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, signIn());
  assert.equal(good.status, 200, JSON.stringify(good.body));
  const setup = good.body.connection.setup;
  assert.equal(setup.currentStep, 'administration');
  assert.deepEqual(
    setup.administrations.map((a: { id: string; name: string }) => [a.id, a.name]),
    [
      ['3195', 'Peeters BV'],
      ['3196', 'Peeters Vastgoed NV'],
    ],
  );
  assert.equal(good.body.connection.settings.password, undefined);

  const chosen = await relais.api('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: ['3195'],
    values: {},
  });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  const active = await acceptTerms(id);
  assert.deepEqual(active.settings.administrationIds, ['3195']);
  assert.deepEqual(active.settings.administrationMailboxes, { '3195': '10130.3195@to-zenvoices.com' });
  assert.equal(
    active.settings.senderAddress,
    'facturen@relais.example',
    'the address to allow in the spam filter',
  );

  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(USER.userNameOrEmailAddress), 'the scan reads decoded payloads');
  assert.ok(!history.includes(USER.password), 'the password is not in workflow history');
  const logs = logLines.join('');
  assert.ok(logs.includes(id), 'the scan reads the logs of this setup');
  assert.ok(!logs.includes(USER.password) && !logs.includes('Zomer-2025?'), 'no password in the logs');
});

test('Zenvoices setup: an administration without an inbox address in the API takes the one the user enters', async () => {
  const id = await createZenvoices();
  assert.equal((await relais.api('POST', `/v1/connections/${id}/steps/credentials`, signIn())).status, 200);
  const wrong = await relais.api('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: ['3196'],
    values: { mailbox: 'vastgoed@peeters.be' },
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.details[0].path, 'values.mailbox');
  assert.match(wrong.body.details[0].message, /ends in @to-zenvoices\.com/);

  const chosen = await relais.api('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: ['3196'],
    values: { mailbox: '10130.3196@to-zenvoices.com' },
  });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  const active = await acceptTerms(id);
  assert.equal(active.settings.mailbox, '10130.3196@to-zenvoices.com');
});

test('Zenvoices setup: an outage at the sign-in is told apart from a refusal', async () => {
  const id = await createZenvoices();
  zenvoices.failNext('/api/TokenAuth/TokenLogin', 503);
  const down = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, signIn());
  assert.equal(down.status, 422, JSON.stringify(down.body));
  assert.match(down.body.message, /Zenvoices could not sign in right now/);
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.setup.lastError.code, 'unavailable');
  assert.equal(read.body.connection.setup.currentStep, 'credentials', 'the step can be retried');
});
