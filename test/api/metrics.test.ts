import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { freePort } from '../../platform/free-port';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess } from '../helpers/worker-process';

const operatorToken = 'metrics-operator-token-0123456789';
let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais({ ...dropboxEnv(dropbox), RELAIS_OPERATOR_TOKEN: operatorToken });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

const scrape = (token?: string) =>
  fetch(`${relais.url}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

/** The value of one sample line, e.g. `relais_connections{connector="dropbox",status="active"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('the metrics endpoint answers only the operator token', async () => {
  assert.equal((await scrape()).status, 401);
  assert.equal((await scrape('not-the-token')).status, 401);
  const answer = await scrape(operatorToken);
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
});

test('documents, deliveries, attempts, time to delivery, connections and requests are counted', async () => {
  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  for (const number of ['M-1', 'M-2']) {
    const accepted = await acceptDocument(relais, ublBeInvoice(number));
    await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  }
  const text = await (await scrape(operatorToken)).text();
  assert.equal(sample(text, 'relais_documents_accepted_total{document_type="purchase-invoice"}'), 2);
  assert.equal(sample(text, 'relais_deliveries_ended_total{connector="dropbox",status="delivered"}'), 2);
  assert.equal(sample(text, 'relais_delivery_attempts_total{connector="dropbox"}'), 2);
  assert.equal(sample(text, 'relais_accept_to_delivered_seconds_count{connector="dropbox"}'), 2);
  assert.equal(sample(text, 'relais_accept_to_delivered_seconds_bucket{connector="dropbox",le="+Inf"}'), 2);
  assert.equal(sample(text, 'relais_accept_to_delivered_seconds_bucket{connector="dropbox",le="604800"}'), 2);
  assert.ok((sample(text, 'relais_accept_to_delivered_seconds_sum{connector="dropbox"}') ?? 0) > 0);
  assert.equal(sample(text, 'relais_connections{connector="dropbox",status="active"}'), 1);
  assert.equal(
    sample(text, 'relais_http_requests_total{method="POST",route="/v1/documents",status="202"}'),
    2,
  );
  assert.equal(
    sample(text, 'relais_http_requests_total{method="GET",route="/metrics",status="401"}'),
    2,
    'requests are counted by route pattern and status',
  );
  assert.doesNotMatch(text, /route="\/v1\/deliveries\/[0-9a-f-]{36}"/, 'ids never become series');
});

test('setup steps and token refreshes are counted, refused and failed ones apart', async () => {
  const before = await (await scrape(operatorToken)).text();
  const steps = (step: string, outcome: string) =>
    sample(before, `relais_setup_steps_total{connector="dropbox",step="${step}",outcome="${outcome}"}`);
  // The earlier test set up one Dropbox connection through the API: each of its steps once.
  assert.equal(steps('format', 'accepted'), 1);
  assert.equal(steps('oauth', 'accepted'), 1);
  assert.equal(steps('terms', 'accepted'), 1);

  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'dropbox',
    documentType: 'sales-invoice',
  });
  const outOfTurn = await relais.api('POST', `/v1/connections/${created.body.connection.id}/steps/terms`, {
    accepted: true,
    termsVersion: '2026-01',
    acceptedBy: 'metrics-tests@example.test',
  });
  assert.ok(outOfTurn.status >= 400 && outOfTurn.status < 500, JSON.stringify(outOfTurn.body));

  // An expired access token is refreshed once; after the user unlinks the app, the refresh is refused.
  dropbox.expireAccessTokens();
  const refreshed = await acceptDocument(relais, ublBeInvoice('M-3'));
  await waitForStatus(relais, refreshed.deliveries[0].id, 'delivered');
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const refused = await acceptDocument(relais, ublBeInvoice('M-4'));
  await waitForStatus(relais, refused.deliveries[0].id, 'waiting-for-connection');

  const text = await (await scrape(operatorToken)).text();
  assert.equal(
    sample(text, 'relais_setup_steps_total{connector="dropbox",step="terms",outcome="refused"}'),
    1,
  );
  assert.equal(sample(text, 'relais_token_refreshes_total{connector="dropbox",outcome="refreshed"}'), 1);
  assert.equal(sample(text, 'relais_token_refreshes_total{connector="dropbox",outcome="failed"}'), 1);
});

test("a worker with RELAIS_TEMPORAL_METRICS_ADDRESS serves the Temporal SDK's own metrics there", async () => {
  const address = `127.0.0.1:${await freePort()}`;
  const worker = await startWorkerProcess(relais, {
    ...dropboxEnv(dropbox),
    RELAIS_TEMPORAL_METRICS_ADDRESS: address,
  });
  try {
    const text = await waitFor('the SDK metrics', async () => {
      const answer = await fetch(`http://${address}/metrics`).catch(() => undefined);
      const body = answer?.ok ? await answer.text() : '';
      return /^temporal_\w+/m.test(body) && body;
    });
    assert.match(text, /^temporal_(worker|request|num_pollers)\w*/m);
  } finally {
    await worker.kill();
  }
});
