import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createLogger } from '../../platform/logger';
import { setupStateQuery, setupWorkflowId } from '../../workflows/setup-messages';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startSshServer, type SshServer } from '../helpers/sshd';

let sshd: SshServer;
let relais: TestRelais;

before(async () => {
  sshd = await startSshServer();
  relais = await startTestRelais();
});
after(async () => {
  await relais?.close();
  await sshd?.stop();
});

/** An SFTP setup walked up to its last step (terms). */
async function setupAtTerms(): Promise<string> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'sftp',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id as string;
  const format = await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  assert.equal(format.status, 200, JSON.stringify(format.body));
  const credentials = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, {
    values: { username: sshd.username, password: sshd.password, host: sshd.host, port: sshd.port },
  });
  assert.equal(credentials.status, 200, JSON.stringify(credentials.body));
  return id;
}

const acceptTerms = (id: string) =>
  relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'race@example.test',
  });

test('a connection disconnected while its last step is handled never becomes active; the setup ends failed', async () => {
  const id = await setupAtTerms();
  // The disconnect wins the race: its row update lands before the activation's.
  await relais.db.pool.query(`update connections set status = 'disconnected' where id = $1`, [id]);

  const answer = await acceptTerms(id);
  assert.equal(answer.status, 409, JSON.stringify(answer.body));
  assert.equal(answer.body.error, 'connection-closed');
  assert.match(answer.body.message, /was disconnected while this setup was finishing/);

  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'disconnected');
  const state = await relais.temporal.client.workflow.getHandle(setupWorkflowId(id)).query(setupStateQuery);
  assert.equal(state.status, 'failed');
  assert.equal(state.lastError?.step, 'activation');
});

test('the positive control: the same setup untouched becomes active', async () => {
  const id = await setupAtTerms();
  const answer = await acceptTerms(id);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'active');
});

test('disconnect while Temporal cannot be asked: 503 with Retry-After, and the connection is left as it was', async () => {
  const id = await setupAtTerms();
  // The same API on a Temporal that does not answer (no retries, so the test does not wait for them).
  const unreachable = new Client({
    connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }),
    namespace: relais.config.TEMPORAL_NAMESPACE,
  });
  const app = createApp({
    config: relais.config,
    pool: relais.db.pool,
    temporal: unreachable,
    logger: createLogger({ level: 'silent' }),
    vault: relais.vault,
    payloadCodec: relais.payloadCodec,
    connectors: relais.connectors,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/v1/connections/${id}/disconnect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relais.tenant.apiKey}` },
    });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('retry-after'), '5');
    assert.equal(((await answer.json()) as { error: string }).error, 'temporal-unavailable');
  } finally {
    server.close();
    await unreachable.connection.close().catch(() => undefined);
  }
  const read = await relais.api('GET', `/v1/connections/${id}`);
  assert.equal(read.body.connection.status, 'setting-up', 'nothing was changed');
});
