import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { historyText, signInThroughBrowser } from '../helpers/browser';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import type { DropboxFake } from '../fakes/dropbox';

let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

/** Creates a Dropbox connection and answers the format step; returns its id and the OAuth start link. */
async function startDropboxSetup(): Promise<{ id: string; startUrl: string }> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id;
  assert.equal(created.body.connection.setup.currentStep, 'format');
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: `${relais.url}/setup/done`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  assert.equal(oauth.body.connection.setup.currentStep, 'oauth');
  return { id, startUrl: oauth.body.connection.setup.oauth.startUrl };
}

test('Dropbox setup: PKCE sign-in through the browser, back to the frontend, terms → active', async () => {
  const { id, startUrl } = await startDropboxSetup();
  let providerUrl = '';
  let code = '';
  const signIn = await signInThroughBrowser(startUrl, async (url) => {
    providerUrl = url;
    const callback = await dropbox.consent(url, 'allow');
    code = new URL(callback).searchParams.get('code')!;
    return callback;
  });
  const provider = new URL(providerUrl);
  assert.equal(provider.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(provider.searchParams.get('token_access_type'), 'offline');
  assert.equal(signIn.callbackStatus, 303);
  assert.equal(signIn.returnedTo.origin + signIn.returnedTo.pathname, `${relais.url}/setup/done`);
  assert.equal(signIn.returnedTo.searchParams.get('status'), 'ok');
  assert.equal(signIn.returnedTo.searchParams.get('connectionId'), id);
  assert.equal(signIn.returnedTo.searchParams.get('step'), 'terms');

  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.match(
    read.body.connection.setup.authorization.accountName,
    new RegExp(dropbox.account.display_name),
  );
  await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'dora',
  });
  const active = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(active.body.connection.status, 'active');
  assert.equal(active.body.connection.settings.format, 'ubl-be-3');
  const { rows } = await relais.db.pool.query('select scopes from consents where connection_id = $1', [id]);
  assert.ok(rows[0].scopes.includes('files.content.write'), 'the consent records the granted scopes');

  // Tokens and the app secret are encrypted at rest and absent from the workflow history.
  // Decrypted: secrets must not enter the workflow's payloads at all, encrypted or not.
  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  const { rows: auth } = await relais.db.pool.query(
    `select a.id, a.ciphertext from authorizations a join connections c on c.authorization_id = a.id where c.id = $1`,
    [id],
  );
  const { tokens } = relais.vault.decryptJson<{ tokens: { accessToken: string; refreshToken: string } }>(
    auth[0].ciphertext,
    `authorization:${relais.tenant.id}:${auth[0].id}`,
  );
  assert.ok(!auth[0].ciphertext.includes(tokens.accessToken), 'tokens are encrypted at rest');
  const secrets = [
    tokens.accessToken,
    tokens.refreshToken,
    dropboxEnv(dropbox).DROPBOX_CLIENT_SECRET!,
    code,
    signIn.cookie!.split('=')[1]!,
  ];
  for (const secret of secrets) {
    assert.ok(!history.includes(secret), `a secret is in the history: ${secret.slice(0, 6)}…`);
  }
  const tokenLog = dropbox.log.filter((entry) => entry.path === '/oauth2/token');
  assert.equal(tokenLog.length, 1);
});

test('OAuth denied at the provider: a clear message, the step can be started again', async () => {
  const { id, startUrl } = await startDropboxSetup();
  const signIn = await signInThroughBrowser(startUrl, (url) => dropbox.consent(url, 'deny'));
  assert.equal(signIn.returnedTo.searchParams.get('status'), 'error');
  assert.match(signIn.returnedTo.searchParams.get('message')!, /declined/);
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.setup.currentStep, 'oauth');
  assert.equal(read.body.connection.setup.lastError.code, 'access_denied');
  const again = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: `${relais.url}/x`,
  });
  assert.equal(again.status, 200);
  assert.ok(again.body.connection.setup.oauth.startUrl);
});

test('a replayed callback, a callback from another browser and a forged state are refused', async () => {
  const { startUrl } = await startDropboxSetup();
  const start = await fetch(startUrl, { redirect: 'manual' });
  const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
  const callbackUrl = await dropbox.consent(start.headers.get('location')!, 'allow');

  const otherBrowser = await fetch(callbackUrl, {
    redirect: 'manual',
    headers: { cookie: 'relais_oauth=someone-else' },
  });
  assert.equal(otherBrowser.status, 400);
  assert.match(await otherBrowser.text(), /another browser/);

  const first = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
  assert.equal(first.status, 303);
  const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
  assert.equal(replay.status, 400);
  assert.match(await replay.text(), /already used|expired/);

  const forged = new URL(callbackUrl);
  forged.searchParams.set('state', 'forged-state-value');
  const forgedAnswer = await fetch(forged, { redirect: 'manual', headers: { cookie } });
  assert.equal(forgedAnswer.status, 400);

  // A second browser opening the same start link is refused: the state is bound to the first.
  const secondBrowser = await fetch(startUrl, { redirect: 'manual' });
  assert.equal(secondBrowser.status, 400);
});

test('an expired state is refused: the sign-in must be started again', async () => {
  const { id, startUrl } = await startDropboxSetup();
  const stateId = startUrl.split('/').pop()!;
  await relais.db.pool.query(
    `update oauth_states set expires_at = now() - interval '1 second' where id = $1`,
    [stateId],
  );
  const start = await fetch(startUrl, { redirect: 'manual' });
  assert.equal(start.status, 400);
  assert.match(await start.text(), /expired/);
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.setup.currentStep, 'oauth');
});

test('returnUrl must be on an allowed origin', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  const id = created.body.connection.id;
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'peppol-bis-3' });
  const evil = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: 'https://evil.example/steal',
  });
  assert.equal(evil.status, 400);
  assert.equal(evil.body.details[0].path, 'returnUrl');
});
