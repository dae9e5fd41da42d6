import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setDeliveryStatusWithEvent } from '../../db/delivery-events';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, reauthorizeDropbox, startDropbox } from '../helpers/dropbox-connection';
import type { JsonBody } from '../helpers/http';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';

/**
 * A delivery's timeline (issue 15.4), from real deliveries to the Dropbox contract fake: what each
 * attempt came to, in codes and the target's own words, parked and resumed, the receipt; and a
 * connection's deliveries per day.
 */

let dropbox: DropboxFake;
let relais: TestRelais;
let connectionId: string;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

async function sendInvoice(number: string, tenant?: TestTenant): Promise<string> {
  const accepted = await acceptDocument(relais, ublBeInvoice(number), tenant ? { tenant } : {});
  assert.equal(accepted.deliveries.length, 1);
  return accepted.deliveries[0].id;
}

async function timeline(id: string, tenant?: TestTenant): Promise<JsonBody> {
  const answer = await relais.api(
    'GET',
    `/v1/deliveries/${id}/timeline`,
    undefined,
    tenant ? { tenant } : {},
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** The events as [type, outcome, attempt, code], the readable part of a timeline. */
const steps = (events: JsonBody[]) => events.map((e) => [e.type, e.outcome, e.attempt, e.code]);

test('failed once (503), then delivered: accepted, the failed attempt with Dropbox’s words, the delivered one with its receipt', async () => {
  dropbox.failNext({ status: 503, times: 1, path: '/2/files/upload' });
  const id = await sendInvoice('TIMELINE-1');
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.attempts, 2);

  const { delivery, events } = await timeline(id);
  assert.equal(delivery.id, id);
  assert.deepEqual(steps(events), [
    ['accepted', null, null, null],
    ['attempt', 'retrying', 1, 'unavailable'],
    ['attempt', 'delivered', 2, null],
  ]);
  const [accepted, failed, success] = events;
  assert.equal(accepted.at, delivery.createdAt);
  assert.match(failed.targetMessage, /Dropbox is having trouble \(HTTP 503\)/);
  assert.ok(Date.parse(failed.nextAttemptAt) > Date.parse(failed.at), 'when the next attempt was due');
  assert.ok(Date.parse(success.at) >= Date.parse(failed.at));
  assert.equal(success.targetMessage, null);
  assert.match(success.receipt.fileName, /_TIMELINE-1_.*\.xml$/);
  assert.equal(success.receipt.remotePath, delivery.receipt.remotePath);
  assert.ok(success.receipt.remotePath.endsWith(success.receipt.fileName));
  assert.ok(events.every((e: JsonBody) => e.run === 1));
});

test('refused by Dropbox: the refusal and the failure, each with Dropbox’s words; a retry by hand is the next run', async () => {
  dropbox.failNext({
    status: 409,
    body: {
      error_summary: 'path/disallowed_name/..',
      error: { '.tag': 'path', reason: { '.tag': 'disallowed_name' } },
    },
    path: '/2/files/upload',
  });
  const id = await sendInvoice('TIMELINE-2');
  const failed = await waitForStatus(relais, id, 'failed');
  assert.equal(failed.lastErrorKind, 'DocumentRejected');
  assert.equal(failed.targetMessage, failed.lastError, 'a refusal is the target’s own words');

  const first = await timeline(id);
  assert.deepEqual(steps(first.events), [
    ['accepted', null, null, null],
    ['attempt', 'rejected', 1, 'rejected'],
    ['failed', null, null, 'DocumentRejected'],
  ]);
  for (const event of first.events.slice(1)) assert.match(event.targetMessage, /path\/disallowed_name/);

  assert.equal((await relais.api('POST', `/v1/deliveries/${id}/retry`)).status, 202);
  await waitForStatus(relais, id, 'delivered');
  const second = await timeline(id);
  assert.deepEqual(
    second.events.map((e: JsonBody) => [e.type, e.outcome, e.run]),
    [
      ['accepted', null, 1],
      ['attempt', 'rejected', 1],
      ['failed', null, 1],
      ['attempt', 'delivered', 2],
    ],
  );
});

test('an activity run again after it wrote its event does not write it twice', async () => {
  const id = await sendInvoice('TIMELINE-4');
  await waitForStatus(relais, id, 'delivered');
  const before = (await timeline(id)).events.length;
  const event = { key: 'run-1/activity-9', type: 'failed' as const, code: 'GaveUp' };
  const update = { status: 'failed' as const, lastError: 'gave up', lastErrorKind: 'GaveUp' };
  await setDeliveryStatusWithEvent(relais.db.pool, id, update, event);
  await setDeliveryStatusWithEvent(relais.db.pool, id, update, event);
  const after = (await timeline(id)).events;
  assert.equal(after.length, before + 1);
  assert.deepEqual(steps(after.slice(-1)), [['failed', null, null, 'GaveUp']]);
});

test('a connection’s deliveries per day: the last 7 days, today’s by where they stand', async () => {
  const answer = await relais.api('GET', `/v1/connections/${connectionId}/stats?days=7`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.connectionId, connectionId);
  const days = answer.body.days as Array<{
    date: string;
    delivered: number;
    failed: number;
    waiting: number;
  }>;
  assert.equal(days.length, 7);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(days[6]!.date, today);
  assert.equal(days[0]!.date, new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10));
  const listed = await relais.api('GET', `/v1/deliveries?connectionId=${connectionId}&limit=500`);
  const count = (status: string) =>
    listed.body.deliveries.filter((d: JsonBody) => d.status === status).length;
  // The tests above: TIMELINE-1, -2 (delivered by its retry) and -4 (failed by hand) on this connection.
  assert.deepEqual(days[6], {
    date: today,
    delivered: count('delivered'),
    failed: count('failed'),
    waiting: listed.body.deliveries.length - count('delivered') - count('failed'),
  });
  assert.deepEqual([days[6]!.delivered, days[6]!.failed], [2, 1]);
  for (const day of days.slice(0, 6)) assert.deepEqual([day.delivered, day.failed, day.waiting], [0, 0, 0]);

  assert.equal((await relais.api('GET', `/v1/connections/${connectionId}/stats`)).body.days.length, 7);
  const month = await relais.api('GET', `/v1/connections/${connectionId}/stats?days=31`);
  assert.equal(month.body.days.length, 31);
  for (const days of ['0', '32', 'seven']) {
    const refused = await relais.api('GET', `/v1/connections/${connectionId}/stats?days=${days}`);
    assert.equal(refused.status, 400, days);
    assert.equal(refused.body.details[0].path, 'days');
  }
});

// Last: the fake revokes every grant, this file's first connection's too.
test('parked while the grant is revoked, resumed after the new sign-in: parked, resumed, delivered', async () => {
  const tenant = await relais.createTenant('Timeline park');
  const parkedConnection = await connectDropbox(relais, dropbox, {
    documentType: 'purchase-invoice',
    tenant,
  });
  dropbox.revokeRefreshToken();
  dropbox.expireAccessTokens();
  const id = await sendInvoice('TIMELINE-3', tenant);
  const parked = await waitForStatus(relais, id, 'waiting-for-connection', { tenant });
  assert.equal(parked.lastErrorKind, 'auth-expired');
  assert.equal(parked.targetMessage, parked.lastError);

  const waiting = await timeline(id, tenant);
  assert.deepEqual(steps(waiting.events), [
    ['accepted', null, null, null],
    ['parked', null, null, 'auth-expired'],
  ]);
  assert.match(waiting.events[1].targetMessage, /Sign in to Dropbox again/);

  await reauthorizeDropbox(relais, dropbox, parkedConnection, tenant);
  await waitForStatus(relais, id, 'delivered', { tenant });
  const { events } = await timeline(id, tenant);
  assert.deepEqual(steps(events), [
    ['accepted', null, null, null],
    ['parked', null, null, 'auth-expired'],
    ['resumed', null, null, null],
    // The activity after the park counts its attempts afresh.
    ['attempt', 'delivered', 1, null],
  ]);
  assert.ok(Date.parse(events[2].at) <= Date.parse(events[3].at));
});
