/*
 * Outbound webhooks through the running API and worker, to a real https receiver on loopback (admitted by
 * the test allow-list RELAIS_NETWORK_ALLOW=127.0.0.0/8, trusted through RELAIS_NETWORK_CA_FILE), which
 * verifies every request with the `standardwebhooks` package. State changes come from real flows: a
 * Dropbox connection set up through the fake's consent page, documents delivered, a revoked grant, a
 * disconnect.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { setDeliveryStatus } from '../../db/deliveries';
import { webhookSecretAad } from '../../db/webhooks';
import { webhookEventTypes } from '../../webhooks/events';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-messages';
import { reconcileWorkflow } from '../../workflows/reconcile';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, reauthorizeDropbox, startDropbox } from '../helpers/dropbox-connection';
import type { JsonBody } from '../helpers/http';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';
import { logLines } from '../helpers/log-capture';
import { decodeHistory } from '../helpers/temporal';
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from '../helpers/webhook-receiver';
import { waitFor } from '../helpers/wait-for';

let dropbox: DropboxFake;
let receiver: WebhookReceiver;
let relais: TestRelais;
/** Every signing secret this file registered: none may appear in a log line or a workflow history. */
const secrets: string[] = [];

before(async () => {
  dropbox = await startDropbox();
  receiver = await startWebhookReceiver();
  relais = await startTestRelais({
    ...dropboxEnv(dropbox),
    RELAIS_NETWORK_CA_FILE: receiver.caFile,
    // Seconds instead of minutes, so the back-off can be watched: 1 s, 2 s, 4 s, at most 5 s.
    RELAIS_WEBHOOK_RETRY_FIRST_SECONDS: '1',
    RELAIS_WEBHOOK_RETRY_MAX_SECONDS: '5',
  });
});
after(async () => {
  await relais?.close();
  await receiver?.close();
  await dropbox?.close();
});

/** A webhook registered through the API; its secret from the one answer that carries it. */
async function register(
  tenant: TestTenant,
  pathName: string,
  eventTypes: readonly string[] = webhookEventTypes,
): Promise<{ id: string; secret: string }> {
  const answer = await relais.api(
    'POST',
    '/v1/webhooks',
    { url: `${receiver.url}${pathName}`, eventTypes },
    { tenant },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  secrets.push(answer.body.secret);
  return { id: answer.body.webhook.id, secret: answer.body.secret };
}

async function webhookDeliveries(tenant: TestTenant, webhookId: string): Promise<JsonBody[]> {
  const answer = await relais.api('GET', `/v1/webhooks/${webhookId}/deliveries`, undefined, { tenant });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.deliveries;
}

/** Polls the endpoint's deliveries until `accept` holds for them; returns them. */
function waitForWebhookDeliveries(
  tenant: TestTenant,
  webhookId: string,
  what: string,
  accept: (deliveries: JsonBody[]) => boolean,
): Promise<JsonBody[]> {
  let last: JsonBody[] = [];
  return waitFor(
    what,
    async () => {
      last = await webhookDeliveries(tenant, webhookId);
      return accept(last) && last;
    },
    { describe: () => last },
  );
}

/** A tenant of its own with a Dropbox connection for purchase invoices: its events are its own. */
type WebhookSpec = [path: string, eventTypes?: readonly string[]];

async function tenantWithDropbox(name: string, webhooks: WebhookSpec[] = []) {
  const tenant = await relais.createTenant(name);
  const registered = [];
  for (const [pathName, types] of webhooks) registered.push(await register(tenant, pathName, types));
  const connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice', tenant });
  return { tenant, connectionId, webhooks: registered };
}

async function deliverInvoice(tenant: TestTenant, number: string): Promise<JsonBody> {
  const accepted = await acceptDocument(relais, ublBeInvoice(number), { tenant });
  assert.equal(accepted.deliveries.length, 1);
  return waitForStatus(relais, accepted.deliveries[0].id, 'delivered', { tenant });
}

test('registration: the signing secret is shown once and stored encrypted; GET never shows it', async () => {
  const tenant = await relais.createTenant('Registration');
  const created = await relais.api(
    'POST',
    '/v1/webhooks',
    { url: `${receiver.url}/registration`, eventTypes: ['delivery.failed'], description: 'ERP' },
    { tenant },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { webhook, secret } = created.body;
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ and the base64 of 32 bytes');
  assert.doesNotThrow(() => new Webhook(secret), 'the library reads the secret as it is');
  assert.deepEqual(Object.keys(webhook).sort(), ['createdAt', 'description', 'eventTypes', 'id', 'url']);

  const reads = [
    await relais.api('GET', `/v1/webhooks/${webhook.id}`, undefined, { tenant }),
    await relais.api('GET', '/v1/webhooks', undefined, { tenant }),
  ];
  for (const read of reads) {
    assert.equal(read.status, 200);
    assert.ok(!JSON.stringify(read.body).includes(secret.slice(6)), 'the secret is never shown again');
  }
  assert.deepEqual(reads[1]!.body.webhooks, [webhook]);

  const { rows } = await relais.db.pool.query('select * from webhook_endpoints where id = $1', [webhook.id]);
  assert.ok(!JSON.stringify(rows).includes(secret.slice(6)), 'not stored in clear');
  assert.equal(
    relais.vault.decrypt(rows[0].secret_ciphertext, webhookSecretAad(tenant.id, webhook.id)).toString(),
    secret,
    'stored encrypted, bound to its row',
  );

  const other = await relais.createTenant('Other');
  const theirs = await relais.api('GET', `/v1/webhooks/${webhook.id}`, undefined, { tenant: other });
  assert.equal(theirs.status, 404, "another tenant's webhook is not found");
  assert.equal((await relais.api('DELETE', `/v1/webhooks/${webhook.id}`, undefined, { tenant })).status, 204);
  assert.equal((await relais.api('GET', `/v1/webhooks/${webhook.id}`, undefined, { tenant })).status, 404);
  assert.deepEqual((await relais.api('GET', '/v1/webhooks', undefined, { tenant })).body.webhooks, []);
});

test('registration refuses bad input and addresses the SSRF guard refuses, with 400 naming the field', async () => {
  const tenant = await relais.createTenant('Refusals');
  const cases: Array<[unknown, string, RegExp]> = [
    [{ url: 'not a url', eventTypes: ['delivery.failed'] }, 'url', /Invalid URL/],
    [{ url: `${receiver.url}/x`, eventTypes: ['delivery.exploded'] }, 'eventTypes.0', /Invalid option/],
    [{ url: `${receiver.url}/x`, eventTypes: [] }, 'eventTypes', /at least 1|>=1/],
    [{ url: `${receiver.url}/x` }, 'eventTypes', /expected array/],
    [
      { url: `${receiver.url.replace('https:', 'http:')}/x`, eventTypes: ['delivery.failed'] },
      'url',
      /https/,
    ],
    [
      { url: 'https://169.254.169.254/latest/meta-data/', eventTypes: ['delivery.failed'] },
      'url',
      /link-local/,
    ],
    [{ url: 'https://10.1.2.3/hooks', eventTypes: ['delivery.failed'] }, 'url', /private network/],
    [{ url: 'https://[::ffff:a01:203]/hooks', eventTypes: ['delivery.failed'] }, 'url', /private network/],
    [{ url: 'https://192.168.0.10:8443/hooks', eventTypes: ['delivery.failed'] }, 'url', /private network/],
  ];
  for (const [body, field, message] of cases) {
    const answer = await relais.api('POST', '/v1/webhooks', body, { tenant });
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
    const detail = answer.body.details.find((d: { path: string }) => d.path === field);
    assert.ok(detail, `${JSON.stringify(body)} names ${field}: ${JSON.stringify(answer.body.details)}`);
    assert.match(detail.message, message);
  }
  const { rows } = await relais.db.pool.query('select id from webhook_endpoints where tenant_id = $1', [
    tenant.id,
  ]);
  assert.deepEqual(rows, [], 'nothing refused is stored');
  // Positive control: the same receiver, over https and allow-listed, is accepted.
  await register(tenant, '/accepted', ['delivery.failed']);
});

test('every status change of a connection and its deliveries reaches the endpoint, signed and numbered in commit order', async () => {
  const { tenant, connectionId, webhooks } = await tenantWithDropbox('Every event', [
    ['/all'],
    ['/failed-only', ['delivery.failed']],
  ]);
  const [all, failedOnly] = webhooks as [{ id: string; secret: string }, { id: string; secret: string }];
  const delivered = await deliverInvoice(tenant, 'WH-1');

  // The user unlinked the app in Dropbox: the next delivery parks, the connection needs re-authorization.
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const accepted = await acceptDocument(relais, ublBeInvoice('WH-2'), { tenant });
  const parked = await waitForStatus(relais, accepted.deliveries[0].id, 'waiting-for-connection', { tenant });
  const disconnected = await relais.api('POST', `/v1/connections/${connectionId}/disconnect`, undefined, {
    tenant,
  });
  assert.equal(disconnected.status, 200);
  await waitForStatus(relais, parked.id, 'failed', { tenant });

  const requests = await receiver.waitForCount('/all', 6);
  const events = requests.map((request) => verifyWebhook(all.secret, request));
  const inOrder = [...events].sort((a, b) => a.data.sequence - b.data.sequence);
  assert.deepEqual(
    inOrder.map((event) => [event.data.sequence, event.type]),
    [
      [1, 'connection.active'],
      [2, 'delivery.delivered'],
      [3, 'connection.needs-reauth'],
      [4, 'delivery.waiting-for-connection'],
      [5, 'connection.disconnected'],
      [6, 'delivery.failed'],
    ],
  );
  for (const event of inOrder) assert.equal(event.data.connectionId, connectionId);
  assert.deepEqual(
    inOrder.map((event) => event.timestamp),
    inOrder.map((event) => event.timestamp).sort(),
    'timestamps follow the sequence',
  );
  const [active, deliveredEvent, needsReauth, waiting, gone, failed] = inOrder;
  assert.deepEqual(Object.keys(active!.data).sort(), [
    'connectionId',
    'connectorId',
    'documentType',
    'occurredAt',
    'reason',
    'sequence',
    'status',
  ]);
  assert.equal(active!.data.connectorId, 'dropbox');
  assert.equal(active!.data.status, 'active');
  assert.equal(deliveredEvent!.data.deliveryId, delivered.id);
  assert.equal(deliveredEvent!.data.documentId, delivered.documentId);
  assert.equal(deliveredEvent!.data.status, 'delivered');
  assert.match(String(needsReauth!.data.reason), /Sign in to Dropbox again/);
  assert.equal(waiting!.data.deliveryId, parked.id);
  assert.equal(waiting!.data.reasonKind, 'auth-expired');
  assert.equal(gone!.data.status, 'disconnected');
  assert.equal(failed!.data.deliveryId, parked.id);
  assert.match(String(failed!.data.reason), /disconnected/);

  // Standard Webhooks' headers: webhook-id is the event's own id, one per event.
  const ids = requests.map((request) => request.headers['webhook-id']);
  assert.equal(new Set(ids).size, 6);
  assert.ok(requests.every((r) => r.headers['content-type'] === 'application/json'));
  // A tampered body or another endpoint's secret does not verify (the check above is a real one).
  assert.throws(() =>
    verifyWebhook(all.secret, { ...requests[0]!, body: requests[0]!.body.replace('1', '2') }),
  );
  assert.throws(() => verifyWebhook(failedOnly.secret, requests[0]!));

  // The endpoint subscribed to failures only heard of the failure.
  const [failure] = await receiver.waitForCount('/failed-only', 1);
  assert.equal(verifyWebhook(failedOnly.secret, failure!).type, 'delivery.failed');
  assert.equal(failure!.headers['webhook-id'], requests[events.indexOf(failed!)]!.headers['webhook-id']);

  const listed = await waitForWebhookDeliveries(
    tenant,
    all.id,
    'six delivered',
    (list) => list.length === 6 && list.every((d) => d.status === 'delivered'),
  );
  for (const delivery of listed) {
    assert.equal(delivery.webhookId, all.id);
    assert.deepEqual(
      delivery.attempts.map((a: JsonBody) => [a.attempt, a.statusCode, a.error]),
      [[1, 200, null]],
    );
    assert.ok(webhookEventTypes.includes(delivery.event.type));
  }
  assert.equal(receiver.on('/failed-only').length, 1);

  // Paged newest first: pages of 4 then 2 give the same list, and the last page has no cursor.
  const page = (query: string) =>
    relais.api('GET', `/v1/webhooks/${all.id}/deliveries?${query}`, undefined, { tenant });
  const first = await page('limit=4');
  assert.equal(first.status, 200);
  assert.equal(first.body.deliveries.length, 4);
  assert.ok(first.body.nextCursor, 'a cursor to the older deliveries');
  const second = await page(`limit=4&cursor=${first.body.nextCursor}`);
  assert.equal(second.body.deliveries.length, 2);
  assert.equal(second.body.nextCursor, null);
  assert.deepEqual(
    [...first.body.deliveries, ...second.body.deliveries].map((d: JsonBody) => d.id),
    listed.map((d) => d.id),
  );
  const sequences = listed.map((d) => d.event.data.sequence);
  assert.deepEqual(
    sequences,
    [...sequences].sort((a, b) => b - a),
    'newest first',
  );
  const forged = await page('cursor=bm90LWEtY3Vyc29y');
  assert.equal(forged.status, 400);
  assert.equal(forged.body.details[0].path, 'cursor');
});

/** Re-authorizes through the fake's consent page and waits until no setup runs any more. */
async function reauthorize(tenant: TestTenant, connectionId: string): Promise<void> {
  await reauthorizeDropbox(relais, dropbox, connectionId, tenant);
  await waitFor('the re-authorization to finish', async () => {
    const read = await relais.api('GET', `/v1/connections/${connectionId}`, undefined, { tenant });
    return read.body.connection.setup === null && read.body.connection.status === 'active';
  });
}

test('a re-authorization is connection.active only when the connection was not active; parked deliveries follow', async () => {
  const { tenant, connectionId, webhooks } = await tenantWithDropbox('Re-authorized', [['/reauth']]);
  const [endpoint] = webhooks as [{ id: string; secret: string }];
  // Signing in again while active changes no status: no event (the next one gets the next number).
  await reauthorize(tenant, connectionId);
  await deliverInvoice(tenant, 'WH-REAUTH-1');
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const accepted = await acceptDocument(relais, ublBeInvoice('WH-REAUTH-2'), { tenant });
  const parkedId = accepted.deliveries[0].id;
  await waitForStatus(relais, parkedId, 'waiting-for-connection', { tenant });
  await reauthorize(tenant, connectionId);
  await waitForStatus(relais, parkedId, 'delivered', { tenant });

  const events = (await receiver.waitForCount('/reauth', 6))
    .map((request) => verifyWebhook(endpoint.secret, request))
    .sort((a, b) => a.data.sequence - b.data.sequence);
  assert.deepEqual(
    events.map((event) => [event.data.sequence, event.type]),
    [
      [1, 'connection.active'],
      [2, 'delivery.delivered'],
      [3, 'connection.needs-reauth'],
      [4, 'delivery.waiting-for-connection'],
      [5, 'connection.active'],
      [6, 'delivery.delivered'],
    ],
  );
  assert.equal(events[5]!.data.deliveryId, parkedId);
});

test('deleting an endpoint ends what was still to be sent to it: failed, and its workflow stops', async () => {
  const { tenant, webhooks } = await tenantWithDropbox('Deleted endpoint', [
    ['/deleted', ['delivery.delivered']],
  ]);
  const [endpoint] = webhooks as [{ id: string; secret: string }];
  receiver.always('/deleted', { status: 503 });
  await deliverInvoice(tenant, 'WH-DELETED');
  const [pending] = await waitForWebhookDeliveries(
    tenant,
    endpoint.id,
    'one failed attempt',
    (list) => list[0]?.attempts.length >= 1,
  );
  assert.equal(pending.status, 'pending');
  assert.ok(pending.nextAttemptAt, 'the next attempt is planned');
  const deleted = await relais.api('DELETE', `/v1/webhooks/${endpoint.id}`, undefined, { tenant });
  assert.equal(deleted.status, 204);
  const { rows } = await relais.db.pool.query(
    'select status, last_error from webhook_deliveries where id = $1',
    [pending.id],
  );
  assert.deepEqual(rows[0], {
    status: 'failed',
    last_error: 'The endpoint was deleted before this event reached it.',
  });
  const outcome = await relais.temporal.client.workflow
    .getHandle(webhookDeliveryWorkflowId(pending.id))
    .result();
  assert.deepEqual(outcome, {
    status: 'failed',
    message: 'The endpoint was deleted before this event reached it.',
  });
  const sent = receiver.on('/deleted').length;
  assert.ok(sent >= 1);
  // Its workflow has ended: nothing more is sent, and the endpoint hears of no new event.
  await deliverInvoice(tenant, 'WH-DELETED-2');
  const handle = relais.temporal.client.workflow.getHandle(webhookDeliveryWorkflowId(pending.id));
  assert.equal((await handle.describe()).status.name, 'COMPLETED');
  assert.equal(receiver.on('/deleted').length, sent);
  assert.equal(
    (await relais.api('GET', `/v1/webhooks/${endpoint.id}/deliveries`, undefined, { tenant })).status,
    404,
  );
});

test('a 500, then a 429 with Retry-After: both attempts are recorded and the event arrives after them', async () => {
  const { tenant, webhooks } = await tenantWithDropbox('Flaky receiver', [
    ['/flaky', ['delivery.delivered']],
  ]);
  const [flaky] = webhooks as [{ id: string; secret: string }];
  receiver.script('/flaky', [
    { status: 500, body: 'database locked' },
    { status: 429, headers: { 'retry-after': '3' } },
  ]);
  await deliverInvoice(tenant, 'WH-FLAKY');

  const requests = await receiver.waitForCount('/flaky', 3);
  assert.deepEqual(
    requests.map((r) => r.status),
    [500, 429, 200],
  );
  for (const request of requests) verifyWebhook(flaky.secret, request);
  assert.equal(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'one event, one webhook-id');
  assert.equal(new Set(requests.map((r) => r.body)).size, 1, 'the same body each time');
  assert.ok(
    requests[2]!.at - requests[1]!.at >= 2_900,
    `the attempt after the 429 waited for its Retry-After (${requests[2]!.at - requests[1]!.at} ms)`,
  );

  const [delivery] = await waitForWebhookDeliveries(
    tenant,
    flaky.id,
    'delivered',
    (list) => list[0]?.status === 'delivered',
  );
  assert.deepEqual(
    delivery.attempts.map((a: JsonBody) => [a.attempt, a.statusCode]),
    [
      [1, 500],
      [2, 429],
      [3, 200],
    ],
  );
  assert.equal(delivery.attempts[0].error, 'The endpoint answered HTTP 500: database locked');
  assert.equal(delivery.attempts[1].error, 'The endpoint answered HTTP 429.');
  assert.equal(delivery.lastStatusCode, 200);
  assert.equal(delivery.lastError, null);
  assert.equal(delivery.nextAttemptAt, null);
  assert.ok(delivery.deliveredAt);
});

test('an endpoint that never answers 2xx is retried with back-off until the retry period ends, then failed', async () => {
  const { tenant, webhooks } = await tenantWithDropbox('Receiver down', [['/down', ['delivery.delivered']]]);
  const [down] = webhooks as [{ id: string; secret: string }];
  receiver.always('/down', { status: 503 });
  const config = relais.config as { RELAIS_WEBHOOK_GIVE_UP_SECONDS: number };
  const before = config.RELAIS_WEBHOOK_GIVE_UP_SECONDS;
  config.RELAIS_WEBHOOK_GIVE_UP_SECONDS = 6;
  try {
    await deliverInvoice(tenant, 'WH-DOWN');
    const [delivery] = await waitForWebhookDeliveries(tenant, down.id, 'failed', (list) =>
      ['failed', 'delivered'].includes(list[0]?.status),
    );
    assert.equal(delivery.status, 'failed');
    assert.match(
      delivery.lastError,
      /^No 2xx answer within 6 seconds; Relais gave up\. Last attempt: .*HTTP 503/,
    );
    assert.equal(delivery.lastStatusCode, 503);
    assert.equal(delivery.nextAttemptAt, null);
    // 1 s, then 2 s between attempts; the next wait (4 s) would end past the 6 seconds.
    assert.deepEqual(
      delivery.attempts.map((a: JsonBody) => a.statusCode),
      [503, 503, 503],
    );
    const requests = receiver.on('/down');
    assert.ok(
      requests[1]!.at - requests[0]!.at >= 900 && requests[2]!.at - requests[1]!.at >= 1_900,
      'back-off',
    );
  } finally {
    config.RELAIS_WEBHOOK_GIVE_UP_SECONDS = before;
  }
});

test('resend: an event is sent again under the same webhook-id, as a new delivery with its own attempts', async () => {
  const { tenant, webhooks } = await tenantWithDropbox('Resend', [['/resend', ['connection.active']]]);
  const [endpoint] = webhooks as [{ id: string; secret: string }];
  const [first] = await waitForWebhookDeliveries(
    tenant,
    endpoint.id,
    'delivered',
    (list) => list[0]?.status === 'delivered',
  );
  const resent = await relais.api(
    'POST',
    `/v1/webhooks/${endpoint.id}/deliveries/${first.id}/resend`,
    undefined,
    { tenant },
  );
  assert.equal(resent.status, 202, JSON.stringify(resent.body));
  assert.equal(resent.body.delivery.resendOf, first.id);
  assert.equal(resent.body.delivery.event.id, first.event.id);
  assert.notEqual(resent.body.delivery.id, first.id);

  const requests = await receiver.waitForCount('/resend', 2);
  assert.equal(requests[1]!.headers['webhook-id'], requests[0]!.headers['webhook-id']);
  assert.deepEqual(
    verifyWebhook(endpoint.secret, requests[1]!),
    verifyWebhook(endpoint.secret, requests[0]!),
  );
  const listed = await waitForWebhookDeliveries(
    tenant,
    endpoint.id,
    'the resend delivered',
    (list) => list.length === 2 && list.every((d) => d.status === 'delivered'),
  );
  assert.equal(listed[0].id, resent.body.delivery.id, 'newest first');
  assert.equal(listed[0].attempts.length, 1);

  const other = await register(tenant, '/resend-other', ['delivery.failed']);
  for (const [webhookId, deliveryId] of [
    [other.id, first.id],
    [endpoint.id, '00000000-0000-4000-8000-000000000000'],
    [endpoint.id, 'not-a-uuid'],
  ]) {
    const answer = await relais.api(
      'POST',
      `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/resend`,
      undefined,
      { tenant },
    );
    assert.equal(answer.status, 404, `${webhookId}/${deliveryId}`);
  }
});

test('crash after the commit: the event is stored with the change, and the reconciler sends it', async () => {
  const { tenant, webhooks } = await tenantWithDropbox('Crash', [['/crash', ['delivery.failed']]]);
  const [endpoint] = webhooks as [{ id: string; secret: string }];
  const delivered = await deliverInvoice(tenant, 'WH-CRASH');
  // What the activity does when a delivery fails, minus the start that a process dying right after
  // the commit never makes: the status change and its event are in the store, no workflow runs.
  const stored = await setDeliveryStatus(relais.db.pool, delivered.id, {
    status: 'failed',
    lastError: 'Simulated failure',
    lastErrorKind: 'internal',
  });
  assert.equal(stored.length, 1);
  const [pending] = await webhookDeliveries(tenant, endpoint.id);
  assert.equal(pending.id, stored[0]!.id);
  assert.equal(pending.status, 'pending');
  assert.deepEqual(pending.attempts, []);
  const handle = relais.temporal.client.workflow.getHandle(webhookDeliveryWorkflowId(pending.id));
  await assert.rejects(handle.describe(), WorkflowNotFoundError);

  // Still being attempted (as far as anyone knows): a resend is refused.
  const early = await relais.api(
    'POST',
    `/v1/webhooks/${endpoint.id}/deliveries/${pending.id}/resend`,
    undefined,
    { tenant },
  );
  assert.equal(early.status, 409);

  const reconcile = (afterSeconds: number) =>
    relais.temporal.client.workflow.execute(reconcileWorkflow, {
      workflowId: `reconcile-webhooks-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      taskQueue: relais.temporal.taskQueue,
      args: [{ afterSeconds }],
    });
  assert.equal((await reconcile(3600)).webhooks?.started, 0, 'too young: the caller may still start it');
  const run = await reconcile(0);
  assert.ok(run.webhooks!.started >= 1, JSON.stringify(run));
  const [request] = await receiver.waitForCount('/crash', 1);
  const event = verifyWebhook(endpoint.secret, request!);
  assert.equal(event.type, 'delivery.failed');
  assert.equal(event.data.deliveryId, delivered.id);
  await waitForWebhookDeliveries(tenant, endpoint.id, 'delivered', (list) => list[0]?.status === 'delivered');

  // Starting twice is harmless: another run starts nothing and sends nothing more.
  const again = await reconcile(0);
  assert.equal(again.webhooks?.started, 0);
  assert.equal(receiver.on('/crash').length, 1);

  // A repeat of the same status is no change: no second event.
  const repeat = await setDeliveryStatus(relais.db.pool, delivered.id, { status: 'failed' });
  assert.deepEqual(repeat, []);
});

test('no signing secret in any log line', () => {
  const logs = logLines.join('');
  // Positive control: the requests whose answers carried the secrets were logged (without their bodies).
  assert.match(logs, /"method":"POST","url":"\/v1\/webhooks"\},"res":\{"statusCode":201\}/);
  assert.ok(secrets.length >= 8);
  for (const secret of secrets) assert.ok(!logs.includes(secret.slice(6)), 'a secret in the logs');
});

test('the workflow history carries ids only: no secret, no URL, no event data', async () => {
  const { tenant, connectionId, webhooks } = await tenantWithDropbox('History', [
    ['/history', ['connection.active']],
  ]);
  const [endpoint] = webhooks as [{ id: string; secret: string }];
  const [delivery] = await waitForWebhookDeliveries(
    tenant,
    endpoint.id,
    'delivered',
    (list) => list[0]?.status === 'delivered',
  );
  const history = JSON.stringify(
    await relais.temporal.decodedHistory(webhookDeliveryWorkflowId(delivery.id)),
    (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value),
  );
  assert.ok(history.includes(delivery.id), 'positive control: the decoded history is readable');
  for (const secretPart of [endpoint.secret, endpoint.secret.slice(6), receiver.url, connectionId]) {
    assert.ok(!history.includes(secretPart), `${secretPart} is not in the history`);
  }
});

test('the webhook and reconcile workflows replay, and are recorded as fixtures on request', async () => {
  const { client } = relais.temporal;
  const runsOf = async (workflowType: string) => {
    const query = `WorkflowType = "${workflowType}" AND TaskQueue = "${relais.temporal.taskQueue}"`;
    const found = [];
    for await (const run of client.workflow.list({ query })) found.push(run);
    return found;
  };
  const retried = await runsOf('webhookDeliveryWorkflow');
  const reconciles = await runsOf('reconcileWorkflow');
  assert.ok(retried.length > 0 && reconciles.length > 0, 'the runs of this file are visible');
  // The longest history is the delivery that gave up (retries add no events; giving up records the end).
  const histories = await Promise.all(
    retried.map(async (run) => ({
      workflowId: run.workflowId,
      history: await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory(),
    })),
  );
  const longest = histories.sort(
    (a, b) => (b.history.events?.length ?? 0) - (a.history.events?.length ?? 0),
  )[0]!;
  const reconcile = {
    workflowId: reconciles[0]!.workflowId,
    history: await client.workflow.getHandle(reconciles[0]!.workflowId, reconciles[0]!.runId).fetchHistory(),
  };
  const failures: string[] = [];
  const options = {
    workflowBundle: { codePath: process.env.RELAIS_TEST_WORKFLOW_BUNDLE! },
    dataConverter: relais.temporal.dataConverter,
  };
  for await (const result of Worker.runReplayHistories(options, [...histories, reconcile])) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
  if (process.env.RELAIS_RECORD_HISTORIES) {
    const fixtures = path.join(__dirname, '..', 'fixtures', 'histories');
    for (const [name, { history }] of [
      ['webhook-delivery-gave-up', longest],
      ['reconcile-with-webhooks', reconcile],
    ] as const) {
      const plain = await decodeHistory(history, relais.temporal.dataConverter);
      writeFileSync(
        path.join(fixtures, `${name}.history.pb`),
        temporal.api.history.v1.History.encode(plain).finish(),
      );
    }
  }
});
