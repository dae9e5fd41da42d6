import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForDelivery, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));
/** The upload calls made for one invoice (its number is in the Dropbox-API-Arg path). */
const uploadsOf = (number: string) =>
  dropbox.log.filter(
    (entry) => entry.path === '/2/files/upload' && entry.headers['dropbox-api-arg']?.includes(`_${number}_`),
  );

/** Submits a fresh purchase invoice for the one Dropbox connection; returns the delivery's id. */
async function sendInvoice(number: string): Promise<string> {
  const accepted = await acceptDocument(relais, ublBeInvoice(number));
  assert.equal(accepted.deliveries.length, 1);
  return accepted.deliveries[0].id;
}

test('Dropbox down for a while: the delivery shows it is retrying, then delivers once', async () => {
  dropbox.failNext({ status: 503, times: 3, path: '/2/files/upload' });
  const id = await sendInvoice('DOWN-1');

  const retrying = await waitForDelivery(relais, id, (d) => d.status === 'retrying' && d.attempts >= 2, {
    what: 'retrying after its second attempt',
  });
  assert.equal(retrying.lastErrorKind, 'unavailable');
  assert.match(retrying.lastError, /Dropbox is having trouble \(HTTP 503\)\. Trying again later\./);
  // The mirrored next attempt follows the workflow's back-off: 2 s, doubled after each attempt.
  const backoffMs = 2_000 * 2 ** (retrying.attempts - 1);
  const untilNext = Date.parse(retrying.nextAttemptAt) - Date.parse(retrying.updatedAt);
  assert.ok(
    Math.abs(untilNext - backoffMs) < 1_000,
    `next attempt in ${untilNext} ms, expected ${backoffMs}`,
  );

  const inProgress = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(inProgress.status, 409, 'a delivery still being retried cannot be retried by hand');
  assert.equal(inProgress.body.error, 'delivery-in-progress');

  const delivered = await waitForStatus(relais, id, 'delivered', { timeoutMs: 40_000 });
  assert.equal(delivered.attempts, 4);
  assert.equal(delivered.runs, 1);
  assert.equal(delivered.lastError, null);
  assert.equal(delivered.nextAttemptAt, null);
  assert.deepEqual(
    uploadsOf('DOWN-1').map((entry) => entry.status),
    [503, 503, 503, 200],
  );
  assert.equal(filesNumbered('DOWN-1').length, 1);
});

test('429 with Retry-After: the next attempt waits as long as Dropbox asked', async () => {
  dropbox.failNext({
    status: 429,
    headers: { 'Retry-After': '3' },
    // Dropbox's RateLimitError body, which repeats the delay.
    body: {
      error_summary: 'too_many_requests/..',
      error: { reason: { '.tag': 'too_many_requests' }, retry_after: 3 },
    },
    path: '/2/files/upload',
  });
  const id = await sendInvoice('SLOW-1');
  const waiting = await waitForDelivery(relais, id, (d) => d.status === 'retrying', { what: 'retrying' });
  assert.equal(waiting.lastErrorKind, 'rate-limited');
  assert.match(waiting.lastError, /Dropbox asks us to slow down/);
  const untilNext = Date.parse(waiting.nextAttemptAt) - Date.parse(waiting.updatedAt);
  assert.ok(Math.abs(untilNext - 3_000) < 1_000, `next attempt announced in ${untilNext} ms`);

  await waitForStatus(relais, id, 'delivered');
  const [throttled, accepted, ...more] = uploadsOf('SLOW-1');
  assert.deepEqual([throttled?.status, accepted?.status, more.length], [429, 200, 0]);
  const gapMs = accepted!.time.getTime() - throttled!.time.getTime();
  assert.ok(gapMs >= 3_000, `the second upload came ${gapMs} ms after the 429, before Retry-After`);
  assert.ok(gapMs < 10_000, `the second upload came ${gapMs} ms after the 429, far later than asked`);
  assert.equal(filesNumbered('SLOW-1').length, 1);
});

test('a document Dropbox refuses fails with its reason; a retry by hand delivers it, a second one finds it there', async () => {
  dropbox.failNext({
    status: 409,
    body: {
      error_summary: 'path/disallowed_name/..',
      error: {
        '.tag': 'path',
        reason: { '.tag': 'disallowed_name' },
        upload_session_id: 'pid_upload_session:x',
      },
    },
    path: '/2/files/upload',
  });
  const id = await sendInvoice('REFUSED-1');
  const failed = await waitForStatus(relais, id, 'failed');
  assert.equal(failed.attempts, 1, 'a refusal is not retried');
  assert.equal(failed.lastErrorKind, 'DocumentRejected');
  assert.match(
    failed.lastError,
    /^Dropbox refused to save \/Invoice_import\/.*REFUSED-1.*\(path\/disallowed_name\)/,
  );
  assert.deepEqual(filesNumbered('REFUSED-1'), []);

  const retried = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(retried.status, 202, JSON.stringify(retried.body));
  assert.equal(retried.body.delivery.runs, 2);
  const delivered = await waitForStatus(relais, id, 'delivered');
  assert.equal(delivered.runs, 2);
  assert.equal(delivered.lastError, null);
  assert.equal(delivered.receipt.alreadyPresent, false);
  assert.equal(filesNumbered('REFUSED-1').length, 1);

  // Re-sending a delivered document meets its own file: recognised by content hash, not duplicated.
  const resent = await relais.api('POST', `/v1/deliveries/${id}/retry`);
  assert.equal(resent.status, 202);
  const again = await waitForDelivery(relais, id, (d) => d.runs === 3 && d.status === 'delivered', {
    what: 'delivered by its third run',
  });
  assert.equal(again.receipt.alreadyPresent, true);
  assert.equal(again.receipt.remotePath, delivered.receipt.remotePath);
  assert.equal(filesNumbered('REFUSED-1').length, 1);
});
