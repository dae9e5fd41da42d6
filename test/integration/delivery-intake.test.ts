import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import type { DropboxFake } from '../fakes/dropbox';
import { readExample } from '../documents/fixtures';
import { acceptDocument, submitDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/** Smaller than the full UBL.BE example (561 kB), larger than the others (250 kB). */
const DOCUMENT_MAX_BYTES = 400_000;

let dropbox: DropboxFake;
let relais: TestRelais;
let connectionId: string;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais({ ...dropboxEnv(dropbox), DOCUMENT_MAX_BYTES: String(DOCUMENT_MAX_BYTES) });
  connectionId = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
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

const uploads = () => dropbox.log.filter((entry) => entry.path === '/2/files/upload').length;
const filesNumbered = (number: string) =>
  [...dropbox.files.keys()].filter((key) => key.includes(`_${number}_`));

async function currentRunId(documentId: string): Promise<string> {
  const handle = relais.temporal.client.workflow.getHandle(deliveryWorkflowId(documentId, connectionId));
  return (await handle.describe()).runId;
}

test('the same Idempotency-Key with the same bytes answers the first acceptance again, and delivers nothing new', async () => {
  const xml = ublBeInvoice('IDEM-1');
  const first = await acceptDocument(relais, xml, { idempotencyKey: 'platform-msg-4711' });
  assert.equal(first.duplicate, false);
  assert.equal(first.deliveries.length, 1);
  await waitForStatus(relais, first.deliveries[0].id, 'delivered');
  const runId = await currentRunId(first.documentId);
  const rows = await countRows();
  const uploadsBefore = uploads();

  const again = await submitDocument(relais, xml, { idempotencyKey: 'platform-msg-4711' });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.equal(again.body.documentId, first.documentId);
  assert.equal(again.body.duplicate, true);
  assert.deepEqual(
    again.body.deliveries.map((d: { id: string }) => d.id),
    first.deliveries.map((d: { id: string }) => d.id),
  );
  assert.equal(again.body.deliveries[0].status, 'delivered');
  assert.equal(await currentRunId(first.documentId), runId, 'no new workflow run');
  assert.deepEqual(await countRows(), rows);
  assert.equal(uploads(), uploadsBefore, 'nothing uploaded again');
  assert.equal(filesNumbered('IDEM-1').length, 1);

  const otherBytes = await submitDocument(relais, ublBeInvoice('IDEM-2'), {
    idempotencyKey: 'platform-msg-4711',
  });
  assert.equal(otherBytes.status, 409, JSON.stringify(otherBytes.body));
  assert.equal(otherBytes.body.error, 'idempotency-conflict');
  assert.match(otherBytes.body.message, /platform-msg-4711/);
  assert.deepEqual(await countRows(), rows, 'the conflicting document is not stored');
  assert.deepEqual(filesNumbered('IDEM-2'), []);
});

test('without a key the document identifies itself: the same invoice twice is a duplicate', async () => {
  const xml = ublBeInvoice('OWN-1');
  const first = await acceptDocument(relais, xml);
  assert.equal(first.duplicate, false);
  const again = await acceptDocument(relais, xml);
  assert.equal(again.duplicate, true);
  assert.equal(again.documentId, first.documentId);
  assert.deepEqual(
    again.deliveries.map((d: { id: string }) => d.id),
    first.deliveries.map((d: { id: string }) => d.id),
  );
  await waitForStatus(relais, first.deliveries[0].id, 'delivered');
  assert.equal(filesNumbered('OWN-1').length, 1, 'one file for the invoice sent twice');

  const another = await acceptDocument(relais, ublBeInvoice('OWN-2'));
  assert.equal(another.duplicate, false, 'another number is another document');
  assert.notEqual(another.documentId, first.documentId);
});

const invoice = ublBeInvoice('BAD-1').toString('utf8');
const refusals: Array<{
  name: string;
  body: string | Buffer;
  options?: Parameters<typeof submitDocument>[2];
  status: number;
  error: string;
  message: RegExp;
}> = [
  {
    name: 'malformed XML',
    body: invoice.slice(0, 3000),
    status: 400,
    error: 'malformed-xml',
    message: /not well-formed XML \(line \d+\)/,
  },
  {
    name: 'a DTD',
    body: invoice.replace('?>', '?>\n<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
    status: 400,
    error: 'dtd-forbidden',
    message: /DOCTYPE/,
  },
  {
    name: 'another UBL document than an invoice or credit note',
    body:
      '<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" ' +
      'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID></Order>',
    status: 400,
    error: 'wrong-root',
    message: /Order.*expected a UBL 2\.1 Invoice/,
  },
  {
    name: 'no issue date',
    body: invoice.replace(/<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/, ''),
    status: 400,
    error: 'missing-field',
    message: /cbc:IssueDate is missing/,
  },
  {
    name: 'a body over DOCUMENT_MAX_BYTES',
    body: readExample('ubl-be/UBLBE_BE0000000196_V01-15000001_Full.xml'),
    status: 413,
    error: 'payload-too-large',
    message: new RegExp(`${DOCUMENT_MAX_BYTES}`),
  },
  {
    name: 'no document type',
    body: invoice,
    options: { documentType: null },
    status: 400,
    error: 'invalid-request',
    message: /documentType/,
  },
  {
    name: 'another content type',
    body: invoice,
    options: { contentType: 'text/plain' },
    status: 415,
    error: 'unsupported-media-type',
    message: /application\/xml/,
  },
];

test('refused submissions say why and store nothing', async () => {
  const rows = await countRows();
  for (const refusal of refusals) {
    const answer = await submitDocument(relais, refusal.body, refusal.options);
    assert.equal(answer.status, refusal.status, `${refusal.name}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error, refusal.error, refusal.name);
    assert.match(answer.body.message, refusal.message, refusal.name);
  }
  assert.deepEqual(await countRows(), rows, 'no document and no delivery stored');
  assert.deepEqual(filesNumbered('BAD-1'), []);
  const fine = await submitDocument(relais, invoice);
  assert.equal(fine.status, 202, 'the same invoice, sent properly, is accepted');
});
