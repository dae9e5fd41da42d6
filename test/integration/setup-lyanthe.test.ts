import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { historyText } from '../helpers/browser';
import { logLines } from '../helpers/log-capture';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startLyantheFake, type LyantheFake } from '../fakes/lyanthe';

const USER = { username: 'an.janssens@kantoor.be', password: 'correct horse battery staple' };

let lyanthe: LyantheFake;
let relais: TestRelais;

before(async () => {
  lyanthe = await startLyantheFake({
    user: USER,
    organisation: { name: 'Kantoor Janssens', mailDomain: 'kantoor-janssens.lyanthe.example' },
    administrations: [
      { id: 'adm-1', name: 'Bakkerij Claes BV', mailroomNumber: '0412345678' },
      { id: 'adm-2', name: 'Garage Wouters', mailroomNumber: '0498765432' },
      { id: 'adm-3', name: 'No mailroom yet', mailroomNumber: '' },
    ],
  });
  relais = await startTestRelais({ LYANTHE_API_URL: lyanthe.url });
});
after(async () => {
  await relais?.close();
  await lyanthe?.close();
});

test('Lyanthe setup: refused sign-in (422 with Lyanthe’s message), administrations listed, chosen, active', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'lyanthe',
    documentType: 'sales-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id;

  const refused = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, {
    values: { username: USER.username, password: 'wrong horse' },
  });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error, 'target-refused');
  assert.match(refused.body.message, /Lyanthe refused the sign-in: Unknown user name or wrong password/);
  assert.doesNotMatch(JSON.stringify(refused.body), /wrong horse/);
  // The code to translate, and the setup's record of it with the target's own words (issue 15.5).
  assert.equal(refused.body.reason, 'invalid-credentials');
  const shown = (await relais.api('GET', `/v1/connections/${id}`)).body.connection.setup.lastError;
  assert.deepEqual(shown, {
    step: 'credentials',
    code: 'invalid-credentials',
    message: refused.body.message,
    targetMessage: refused.body.message,
  });

  const good = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, { values: USER });
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(good.body.connection.setup.currentStep, 'administration');
  assert.deepEqual(
    good.body.connection.setup.administrations.map((a: { id: string; name: string }) => [a.id, a.name]),
    [
      ['adm-1', 'Bakkerij Claes BV'],
      ['adm-2', 'Garage Wouters'],
    ],
    'an administration without a mailroom cannot receive mail: not offered',
  );

  const unknown = await relais.api('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: ['adm-3'],
    values: {},
  });
  assert.equal(unknown.status, 400);
  const chosen = await relais.api('POST', `/v1/connections/${id}/steps/administration`, {
    administrationIds: ['adm-2'],
    values: {},
  });
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'an.janssens@kantoor.be',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
  assert.equal(read.body.connection.settings.mailDomain, 'kantoor-janssens.lyanthe.example');
  assert.equal(read.body.connection.settings.administrationMailrooms['adm-2'], '0498765432');
  assert.equal(read.body.connection.settings.password, undefined);

  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  assert.ok(history.includes(USER.username), 'the scan reads decoded payloads');
  assert.ok(!history.includes(USER.password), 'the password is not in workflow history');
  const logs = logLines.join('');
  assert.ok(logs.includes(id), 'the scan reads the logs of this setup');
  assert.ok(!logs.includes(USER.password) && !logs.includes('wrong horse'), 'no password in the logs');
});
