import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadAuthorization } from '../../db/authorizations';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { logLines } from '../helpers/log-capture';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startSshServer, type SshServer } from '../helpers/sshd';
import type { DropboxFake } from '../fakes/dropbox';

let sshd: SshServer;
let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  sshd = await startSshServer();
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
  await sshd?.stop();
});

test('a full setup + delivery writes no password, token or API key to any log line or API answer', async () => {
  const answers: string[] = [];
  const api: typeof relais.api = async (...args) => {
    const answer = await relais.api(...args);
    answers.push(JSON.stringify(answer.body));
    return answer;
  };
  const wrongPassword = 'Wr0ng-Recognizable-Pa55';
  const created = await api('POST', '/v1/connections', {
    connectorId: 'sftp',
    documentType: 'purchase-invoice',
  });
  const id = created.body.connection.id;
  await api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  const values = { username: sshd.username, host: sshd.host, port: sshd.port };
  assert.equal(
    (
      await api('POST', `/v1/connections/${id}/steps/credentials`, {
        values: { ...values, password: wrongPassword },
      })
    ).status,
    422,
  );
  assert.equal(
    (
      await api('POST', `/v1/connections/${id}/steps/credentials`, {
        values: { ...values, password: sshd.password },
      })
    ).status,
    200,
  );
  await api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'ops',
  });

  // The browser's way back from the consent page: the OAuth callback URL, with the code and state in it.
  const callbacks: URL[] = [];
  const consent = dropbox.consent.bind(dropbox);
  dropbox.consent = async (...args) => {
    const location = await consent(...args);
    callbacks.push(new URL(location));
    return location;
  };
  const dropboxId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  const [callback] = callbacks;
  const authorizationCode = callback?.searchParams.get('code');
  const oauthState = callback?.searchParams.get('state');
  assert.ok(authorizationCode && oauthState, `the sign-in came back with a code and state (${callback})`);
  dropbox.expireAccessTokens();
  const accepted = await acceptDocument(relais, ublBeInvoice('LOGSCAN-1'));
  for (const delivery of accepted.deliveries) {
    answers.push(JSON.stringify(await waitForStatus(relais, delivery.id, 'delivered')));
  }

  const { rows } = await relais.db.pool.query('select authorization_id from connections where id = $1', [
    dropboxId,
  ]);
  const authorization = await loadAuthorization(
    relais.db.pool,
    relais.vault,
    relais.tenant.id,
    rows[0].authorization_id,
  );
  assert.equal(authorization?.credentials.kind, 'tokens');
  const tokens = authorization!.credentials.kind === 'tokens' ? authorization!.credentials.tokens : undefined;
  const secrets = {
    'SFTP password': sshd.password,
    'wrong password': wrongPassword,
    'access token': tokens!.accessToken,
    'refresh token': tokens!.refreshToken!,
    'API key': relais.tenant.apiKey,
    'Dropbox app secret': dropboxEnv(dropbox).DROPBOX_CLIENT_SECRET!,
    'OAuth authorization code': authorizationCode,
    'OAuth state': oauthState,
  };
  const { rows: errors } = await relais.db.pool.query(
    'select last_error from deliveries union all select status_message from connections',
  );
  const haystacks = {
    'log lines': logLines.join('\n'),
    'API answers': answers.join('\n'),
    'stored errors': JSON.stringify(errors),
  };
  assert.ok(logLines.length > 10, `the scan reads the logs actually written (${logLines.length})`);
  assert.ok(haystacks['log lines'].includes(`/v1/connections/${id}`), 'request logs are among them');
  assert.ok(haystacks['log lines'].includes(callback!.pathname), 'the OAuth callback is logged');
  for (const [where, text] of Object.entries(haystacks)) {
    for (const [what, secret] of Object.entries(secrets)) {
      assert.ok(
        !text.includes(secret),
        `the ${what} appears in the ${where}: ${text
          .split('\n')
          .filter((l) => l.includes(secret))
          .join('\n')
          .slice(0, 3000)}`,
      );
    }
  }
});
