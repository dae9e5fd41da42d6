import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { startOneDriveFake, type OneDriveFake } from '../fakes/onedrive';
import { historyText, signInThroughBrowser } from '../helpers/browser';
import { acceptDocument, submitDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/** The Relais app as registered in the (fake) Microsoft Entra ID. */
const APP = { clientId: '0b4f3c1e-6a7d-4b55-9a0e-5d2c7e9f1a23', clientSecret: 'entra-integration-secret-3' };
const FOLDER = 'Boekhouding/Inkomend/';

let onedrive: OneDriveFake;
let relais: TestRelais;

before(async () => {
  onedrive = await startOneDriveFake(APP);
  relais = await startTestRelais({
    ONEDRIVE_AUTHORITY_URL: onedrive.authorityUrl,
    ONEDRIVE_GRAPH_URL: onedrive.graphUrl,
    ONEDRIVE_CLIENT_ID: APP.clientId,
    ONEDRIVE_CLIENT_SECRET: APP.clientSecret,
  });
});
after(async () => {
  await relais?.close();
  await onedrive?.close();
});

async function createConnection(): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'onedrive-business',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id;
  const format = await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'peppol-bis-3' });
  assert.equal(format.status, 200, JSON.stringify(format.body));
  return id;
}

/** A OneDrive connection set up through the API with `folder`, active; returns its id. */
async function connectionWithFolder(folder: string): Promise<string> {
  const id = await createConnection();
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: { folder },
    returnUrl: `${relais.url}/setup/done`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  const signIn = await signInThroughBrowser(oauth.body.connection.setup.oauth.startUrl, (url) =>
    onedrive.consent(url, 'allow'),
  );
  assert.equal(signIn.returnedTo.searchParams.get('status'), 'ok');
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'olga',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  return id;
}

test('a folder OneDrive refuses is a 400 naming the field and the reason', async () => {
  const id = await createConnection();
  const answer = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: { folder: 'Factures: 2026/' },
    returnUrl: `${relais.url}/setup/done`,
  });
  assert.equal(answer.status, 400, JSON.stringify(answer.body));
  assert.equal(answer.body.details[0].path, 'values.folder');
  assert.match(answer.body.details[0].message, /contains :/);
});

test('OneDrive setup: folder and sign-in, terms → active; a document lands in the folder exactly once', async () => {
  const id = await createConnection();
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: { folder: FOLDER },
    returnUrl: `${relais.url}/setup/done`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  let code = '';
  const signIn = await signInThroughBrowser(oauth.body.connection.setup.oauth.startUrl, async (url) => {
    const provider = new URL(url);
    assert.equal(`${provider.origin}${provider.pathname}`, `${onedrive.authorityUrl}/authorize`);
    assert.equal(provider.searchParams.get('code_challenge_method'), 'S256');
    const callback = await onedrive.consent(url, 'allow');
    code = new URL(callback).searchParams.get('code')!;
    return callback;
  });
  assert.equal(signIn.returnedTo.searchParams.get('status'), 'ok', signIn.returnedTo.toString());
  assert.equal(signIn.returnedTo.searchParams.get('step'), 'terms');

  const signedIn = await relais.api('GET', `/v1/connections/${id}`);
  assert.match(
    signedIn.body.connection.setup.authorization.accountName,
    /Relais Test \(owner@contoso\.test\)/,
  );

  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'olga',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const active = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(active.body.connection.status, 'active');
  assert.equal(active.body.connection.settings.folder, FOLDER);

  // Tokens, the code and the client secret never enter the setup workflow's history.
  const history = historyText(await relais.temporal.decodedHistory(setupWorkflowId(id)));
  const { rows: auth } = await relais.db.pool.query(
    `select a.id, a.ciphertext from authorizations a join connections c on c.authorization_id = a.id where c.id = $1`,
    [id],
  );
  const { tokens } = relais.vault.decryptJson<{ tokens: { accessToken: string; refreshToken: string } }>(
    auth[0].ciphertext,
    `authorization:${relais.tenant.id}:${auth[0].id}`,
  );
  for (const secret of [tokens.accessToken, tokens.refreshToken, APP.clientSecret, code]) {
    assert.ok(!history.includes(secret), `a secret is in the history: ${secret.slice(0, 6)}…`);
  }

  const uploads = () => onedrive.log.filter((e) => e.method === 'PUT' && e.path.endsWith(':/content')).length;
  const inFolder = () => [...onedrive.items.values()].filter((item) => item.path.startsWith(FOLDER));
  const xml = ublBeInvoice('OD-2026-1');
  const accepted = await acceptDocument(relais, xml);
  assert.equal(accepted.deliveries.length, 1);
  const delivered = await waitForStatus(relais, accepted.deliveries[0].id, 'delivered', {
    timeoutMs: 60_000,
  });
  assert.equal(inFolder().length, 1);
  assert.match(inFolder()[0]!.content.toString('utf8'), /OD-2026-1/);
  assert.match(JSON.stringify(delivered), /Boekhouding\/Inkomend\//);
  const uploadsAfterFirst = uploads();

  const again = await submitDocument(relais, xml);
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.equal(again.body.duplicate, true);
  assert.equal(uploads(), uploadsAfterFirst, 'nothing uploaded again');
  assert.equal(inFolder().length, 1);
});

test('an expired access token is refreshed (rotated) at delivery; AADSTS700082 parks the connection for a new sign-in', async () => {
  const id = await connectionWithFolder('Rotation/');
  // Purchase invoices fan out to every purchase connection of the tenant: follow this one's delivery.
  const ours = (accepted: { deliveries: Array<{ id: string; connectionId: string }> }) =>
    accepted.deliveries.find((d) => d.connectionId === id)!.id;
  onedrive.identity.expireAccessTokens();
  const sentBefore = onedrive.identity.tokenCalls().length;
  const first = await acceptDocument(relais, ublBeInvoice('OD-ROT-1'));
  await waitForStatus(relais, ours(first), 'delivered', { timeoutMs: 60_000 });
  assert.ok(
    [...onedrive.items.keys()].some((key) => key.startsWith('rotation/')),
    'landed in Rotation/',
  );
  const refreshed = onedrive.identity
    .tokenCalls()
    .slice(sentBefore)
    .filter((c) => c.grantType === 'refresh_token');
  assert.ok(refreshed.length >= 1, 'the expired access token was refreshed');

  // The rotated refresh token is the one Relais keeps: not any token it has already sent.
  const { rows } = await relais.db.pool.query(
    `select a.id, a.ciphertext from authorizations a join connections c on c.authorization_id = a.id where c.id = $1`,
    [id],
  );
  const { tokens } = relais.vault.decryptJson<{ tokens: { refreshToken: string } }>(
    rows[0].ciphertext,
    `authorization:${relais.tenant.id}:${rows[0].id}`,
  );
  const sent = onedrive.identity.tokenCalls().map((c) => c.refreshToken);
  assert.ok(!sent.includes(tokens.refreshToken), 'the new refresh token replaced the old');

  onedrive.refuseRefreshTokens(700082);
  onedrive.identity.expireAccessTokens();
  const second = await acceptDocument(relais, ublBeInvoice('OD-ROT-2'));
  const waiting = await waitForStatus(relais, ours(second), 'waiting-for-connection', { timeoutMs: 60_000 });
  assert.equal(waiting.lastErrorKind, 'auth-expired');
  const connection = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(connection.body.connection.status, 'needs-reauth');
  assert.match(connection.body.connection.statusMessage, /Sign in to OneDrive again/);
});

test('a shared library: the sign-in asks for Files.ReadWrite.All and the document lands in that library', async () => {
  const libraryId = 'b!SharedFinanceLibrary_01';
  const library = onedrive.addSharedLibrary(libraryId, 'Finance');
  const id = await createConnection();
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: { folder: 'Aankopen/', sharedLibrary: ` ${libraryId} ` },
    returnUrl: `${relais.url}/setup/done`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  const signIn = await signInThroughBrowser(oauth.body.connection.setup.oauth.startUrl, (url) => {
    assert.equal(new URL(url).searchParams.get('scope'), 'Files.ReadWrite.All offline_access');
    return onedrive.consent(url, 'allow');
  });
  assert.equal(signIn.returnedTo.searchParams.get('status'), 'ok', signIn.returnedTo.toString());
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'olga',
  });
  assert.equal(terms.status, 200, JSON.stringify(terms.body));
  const active = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(active.body.connection.settings.sharedLibrary, libraryId);

  const accepted = await acceptDocument(relais, ublBeInvoice('OD-LIB-1'));
  const ours = accepted.deliveries.find((d: { connectionId: string }) => d.connectionId === id)!;
  await waitForStatus(relais, ours.id, 'delivered', { timeoutMs: 60_000 });
  const landed = [...library.values()].filter((item) => item.path.startsWith('Aankopen/'));
  assert.equal(landed.length, 1);
  assert.match(landed[0]!.content.toString('utf8'), /OD-LIB-1/);
  // Other purchase connections of the tenant file their copy in the own OneDrive, never under Aankopen/.
  assert.ok(
    ![...onedrive.items.values()].some((item) => item.path.startsWith('Aankopen/')),
    'not in the own OneDrive',
  );
});
