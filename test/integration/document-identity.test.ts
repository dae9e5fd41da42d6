import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, submitDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
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

async function countRows(): Promise<{ documents: number; deliveries: number }> {
  const { rows } = await relais.db.pool.query(
    'select (select count(*)::int from documents) as documents, (select count(*)::int from deliveries) as deliveries',
  );
  return rows[0];
}
const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));

test('the same invoice under a new Idempotency-Key is a duplicate: one document, one delivery per connection', async () => {
  const xml = ublBeInvoice('IDENT-1');
  const first = await acceptDocument(relais, xml, { idempotencyKey: 'msg-ident-1' });
  assert.equal(first.duplicate, false);
  assert.equal(first.deliveries.length, 1);
  await waitForStatus(relais, first.deliveries[0].id, 'delivered');
  const rows = await countRows();

  for (const options of [{ idempotencyKey: 'msg-ident-1-again' }, {}]) {
    const again = await acceptDocument(relais, xml, options);
    assert.equal(again.duplicate, true, JSON.stringify(options));
    assert.equal(again.documentId, first.documentId);
    assert.deepEqual(
      again.deliveries.map((d: { id: string }) => d.id),
      first.deliveries.map((d: { id: string }) => d.id),
    );
  }
  assert.deepEqual(await countRows(), rows, 'no second document, no second delivery');
  assert.equal(filesNumbered('IDENT-1').length, 1, 'delivered once');

  // Same identity, other bytes: refused with a key (a new one) or without.
  const otherBytes = Buffer.from(xml.toString('utf8').replace('<cbc:Note>', '<cbc:Note>changed '), 'utf8');
  assert.notDeepEqual(otherBytes, xml, 'the fixture has a note to change');
  for (const options of [{ idempotencyKey: 'msg-ident-1-other' }, {}]) {
    const conflict = await submitDocument(relais, otherBytes, options);
    assert.equal(conflict.status, 409, JSON.stringify(conflict.body));
    assert.equal(conflict.body.error, 'document-conflict');
    assert.match(conflict.body.message, /IDENT-1/);
  }
  assert.deepEqual(await countRows(), rows, 'the conflicting document is not stored');
});

test('an unbounded invoice number is stored (its digest is indexed); the Idempotency-Key is bounded', async () => {
  // Random, so that PostgreSQL cannot compress it under the index row size (about 2,700 bytes).
  const number = `LONG-${randomBytes(1500).toString('hex')}`;
  const xml = ublBeInvoice(number);
  const first = await submitDocument(relais, xml);
  assert.equal(first.status, 202, JSON.stringify(first.body));
  assert.equal(first.body.duplicate, false);
  const { rows } = await relais.db.pool.query('select number from documents where id = $1', [
    first.body.documentId,
  ]);
  assert.equal(rows[0].number, number, 'the number itself is kept');
  const again = await submitDocument(relais, xml);
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.equal(again.body.duplicate, true);
  assert.equal(again.body.documentId, first.body.documentId);

  const longestKey = 'k'.repeat(255);
  const accepted = await submitDocument(relais, ublBeInvoice('KEY-255'), { idempotencyKey: longestKey });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const tooLong = await submitDocument(relais, ublBeInvoice('KEY-256'), { idempotencyKey: `${longestKey}k` });
  assert.equal(tooLong.status, 400, JSON.stringify(tooLong.body));
  assert.match(tooLong.body.message, /Idempotency-Key/);
  assert.match(tooLong.body.message, /255/);
});

test('an invoice posted before any connection was active reaches the connection when posted again', async () => {
  const tenant = await relais.createTenant('Connects later');
  const xml = ublBeInvoice('LATE-1');
  const before = await acceptDocument(relais, xml, { tenant });
  assert.equal(before.duplicate, false);
  assert.deepEqual(before.deliveries, [], 'no active connection yet');

  const connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice', tenant });
  const again = await acceptDocument(relais, xml, { tenant });
  assert.equal(again.duplicate, true);
  assert.equal(again.documentId, before.documentId);
  assert.equal(again.deliveries.length, 1, JSON.stringify(again.deliveries));
  assert.equal(again.deliveries[0].connectionId, connectionId);
  await waitForStatus(relais, again.deliveries[0].id, 'delivered', { tenant });

  const third = await acceptDocument(relais, xml, { tenant });
  assert.deepEqual(
    third.deliveries.map((d: { id: string }) => d.id),
    again.deliveries.map((d: { id: string }) => d.id),
    'still one delivery per document and connection',
  );
  assert.equal(filesNumbered('LATE-1').length, 1, 'delivered once');
});
