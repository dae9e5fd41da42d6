import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createConnection } from '../../db/connections';
import { connectionSetupWorkflow } from '../../workflows/connection-setup';
import { setupWorkflowId } from '../../workflows/setup-messages';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import type { DropboxFake } from '../fakes/dropbox';
import { ensureSearchAttributes } from '../../platform/temporal-server';
import { loadConfig } from '../../platform/config';
import { relaisVersion } from '../../platform/version';

let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  // Short limits on the real dev server: 3 s of inactivity expires a setup, 1.2 s bounds the OAuth wait.
  relais = await startTestRelais({
    SETUP_EXPIRY_MINUTES: '0.05',
    OAUTH_WAIT_MINUTES: '0.02',
    ...dropboxEnv(dropbox),
  });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

async function waitForStatus(id: string, status: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await relais.api('GET', `/v1/connections/${id}`);
    if (read.body.connection.status === status) return read.body.connection;
    if (Date.now() > deadline) throw new Error(`connection still ${read.body.connection.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('an abandoned setup expires, and a late step is refused', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  const id = created.body.connection.id;
  await waitForStatus(id, 'expired', 15_000);
  const late = await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  assert.equal(late.status, 409);
});

test('the OAuth wait is bounded: the step reports the timeout and can be started again', async () => {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  const id = created.body.connection.id;
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: `${relais.url}/x`,
  });
  assert.ok(oauth.body.connection.setup.oauth);
  const deadline = Date.now() + 10_000;
  let setup;
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    setup = (await relais.api('GET', `/v1/connections/${id}`)).body.connection.setup;
  } while (setup?.lastError?.code !== 'oauth-timeout' && Date.now() < deadline);
  assert.equal(setup.lastError.code, 'oauth-timeout');
  assert.equal(setup.oauth, null);
  assert.equal(setup.currentStep, 'oauth');
});

test('with the default limits a setup left alone expires after 24 hours (time-skipping server)', async () => {
  const { dataConverter } = relais.temporal;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
    client: { dataConverter },
  });
  try {
    // The time-skipping server knows no custom search attributes until they are registered.
    await ensureSearchAttributes(env.connection, 'default');
    const connection = await createConnection(relais.db.pool, {
      tenantId: relais.tenant.id,
      connectorId: 'dropbox',
      documentType: 'sales-invoice',
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping',
      dataConverter,
      workflowBundle: { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! },
      activities: createActivities({
        pool: relais.db.pool,
        vault: relais.vault,
        connectors: relais.connectors,
        publicBaseUrl: relais.url,
        softwareVersion: relaisVersion,
      }),
    });
    const defaults = loadConfig({});
    const result = await worker.runUntil(
      env.client.workflow.execute(connectionSetupWorkflow, {
        workflowTaskTimeout: '5 seconds',
        workflowExecutionTimeout: '30 days',
        taskQueue: 'time-skipping',
        workflowId: setupWorkflowId(connection.id),
        args: [
          {
            connectionId: connection.id,
            tenantId: relais.tenant.id,
            connectorId: 'dropbox',
            documentType: 'sales-invoice',
            mode: 'create',
            steps: ['format', 'oauth', 'terms'],
            formats: ['ubl-be-3', 'peppol-bis-3'],
            termsVersion: '2026-01',
            sharedAuthorization: false,
            allowAllAdministrations: false,
            settings: {},
            expiryMs: defaults.SETUP_EXPIRY_MINUTES * 60_000,
            oauthWaitMs: defaults.OAUTH_WAIT_MINUTES * 60_000,
          },
        ],
      }),
    );
    assert.equal(result.status, 'expired');
    const described = await env.client.workflow.getHandle(setupWorkflowId(connection.id)).describe();
    const lifetimeMs = described.closeTime!.getTime() - described.startTime.getTime();
    assert.ok(
      lifetimeMs >= 24 * 3_600_000,
      `expired after ${lifetimeMs} ms of workflow time, not before 24 h`,
    );
    const { rows } = await relais.db.pool.query('select status from connections where id = $1', [
      connection.id,
    ]);
    assert.equal(rows[0].status, 'expired');
  } finally {
    await env.teardown();
  }
});
