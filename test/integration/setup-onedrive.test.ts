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
