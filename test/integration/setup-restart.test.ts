import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot } from '../../platform/config';
import { freePort } from '../../platform/free-port';
import { ensureTemporalCli } from '../../platform/temporal-cli';
import { startDevServer, type DevServer } from '../../platform/temporal-server';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { startSshServer, type SshServer } from '../helpers/sshd';
import { waitFor } from '../helpers/wait-for';

// A Temporal dev server of this file's own, on a database file, so it can be stopped and started again.
let temporal: { start(): Promise<DevServer>; current?: DevServer };
let relais: TestRelais;
let sshd: SshServer;

before(async () => {
  const cli = await ensureTemporalCli({
    cliPath: process.env.TEMPORAL_CLI_PATH,
    cacheDir: path.join(projectRoot, '.cache'),
    log: () => undefined,
  });
  const port = await freePort();
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'relais-temporal-')), 'dev.sqlite');
  temporal = {
    async start() {
      this.current = await startDevServer({
        cli,
        port,
        dbFile,
        namespace: 'default',
        logFile: path.join(projectRoot, 'test-artifacts', 'restart-temporal.log'),
      });
      return this.current;
    },
  };
  const server = await temporal.start();
  sshd = await startSshServer();
  relais = await startTestRelais({}, { temporalAddress: server.address });
});
after(async () => {
  await relais?.close();
  await temporal?.current?.stop();
  await sshd?.stop();
});

test('a setup survives a restart of the Temporal server, then of the worker, between its steps', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'sftp',
    documentType: 'sales-invoice',
  });
  const id = created.body.connection.id;
  assert.equal(
    (await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' })).status,
    200,
  );

  await temporal.current!.stop();
  await temporal.start();
  // Clients reconnect on their own; the first calls may still see the server coming back.
  const credentials = {
    values: { username: sshd.username, password: sshd.password, host: sshd.host, port: sshd.port },
  };
  const answered = await waitFor(
    'the credentials step after the server restart',
    async () => {
      const answer = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, credentials);
      return answer.status < 500 ? answer : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  assert.equal(
    answered.body.connection.setup.completedSteps.join(),
    'format,credentials',
    'nothing was lost',
  );

  await relais.temporal.stopWorker();
  await relais.temporal.startWorker();
  const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'restart-test',
  });
  assert.equal(terms.status, 200);
  assert.equal((await relais.api('GET', `/v1/connections/${id}`)).body.connection.status, 'active');
});
