/*
 * The Onea connector against its contract fake (test/fakes/onea.ts): the key kept as entered, the
 * direction per document type, the UBL sent as base64, the status read until DONE, and every failure
 * classified.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConnectorError } from '../../connectors/errors';
import onea from '../../connectors/onea';
import type { DeliveryInput, DocumentType } from '../../connectors/types';
import { startOneaFake, type OneaFake } from '../fakes/onea';
import { ublBeInvoice } from '../helpers/delivery-api';

const API_KEY = 'onea-key-6f1c2d9e';
let fake: OneaFake;
let connector: ReturnType<typeof onea.create>;

before(async () => {
  fake = await startOneaFake({ apiKeys: [API_KEY] });
  connector = onea.create(onea.configSchema.parse({ ONEA_API_URL: fake.url }));
});
after(async () => {
  await fake?.close();
});

function delivery(
  options: { documentType?: DocumentType; apiKey?: string; content?: Buffer } = {},
): DeliveryInput {
  return {
    deliveryId: 'b3f1c1d0-0000-4000-8000-000000000001',
    documentType: options.documentType ?? 'purchase-invoice',
    fileName: 'invoice.xml',
    content: options.content ?? ublBeInvoice('ONEA-UNIT-1'),
    contentType: 'application/xml',
    document: {
      number: 'ONEA-UNIT-1',
      issueDate: '2026-11-30',
      kind: 'invoice',
      supplierName: 'Supplier',
      customerName: 'Customer',
    },
    settings: {},
    credentials: { kind: 'secrets', secrets: { apiKey: options.apiKey ?? API_KEY } },
    pdf: () => Promise.reject(new Error('Onea takes the UBL alone')),
  };
}

const rejectsAs = (kind: ConnectorError['kind'], pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ConnectorError, String(error));
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, pattern);
  return true;
};

test('the API key is kept as entered, trimmed; the form refuses spaces and empty keys', async () => {
  const result = await connector.checkCredentials!({ values: { apiKey: `  ${API_KEY}\n` }, settings: {} });
  assert.deepEqual(result, { secrets: { apiKey: API_KEY }, settings: {} });
  const schema = onea.descriptor.fields.find((field) => field.name === 'apiKey')!.schema;
  assert.equal(schema.safeParse(` ${API_KEY} `).success, true);
  assert.match(schema.safeParse('two words').error!.issues[0]!.message, /without spaces/);
  assert.match(schema.safeParse('').error!.issues[0]!.message, /Enter the Onea API key/);
});

test('a purchase invoice is filed as incoming, a sales invoice as outgoing; the receipt is pending on the uuid', async () => {
  const purchase = await connector.deliver!(delivery());
  const sale = await connector.deliver!(delivery({ documentType: 'sales-invoice' }));
  for (const [receipt, direction] of [
    [purchase, 'incoming'],
    [sale, 'outgoing'],
  ] as const) {
    const uuid = receipt.pending!.reference;
    const transfer = fake.transfers.get(uuid)!;
    assert.equal(transfer.direction, direction);
    assert.equal(transfer.xml, ublBeInvoice('ONEA-UNIT-1').toString('utf8'));
    assert.equal(receipt.alreadyPresent, false);
  }
});

test('the status is asked until DONE; the receipt carries Onea id', async () => {
  fake.setPollsUntilDone(3);
  const { pending } = await connector.deliver!(delivery());
  const ask = () =>
    connector.confirmDelivery!({
      reference: pending!.reference,
      documentType: 'purchase-invoice',
      settings: {},
      credentials: { kind: 'secrets', secrets: { apiKey: API_KEY } },
    });
  assert.deepEqual(await ask(), { done: false });
  assert.deepEqual(await ask(), { done: false });
  const done = await ask();
  assert.equal(done.done, true);
  assert.equal(done.done && done.remoteId, String(fake.transfers.get(pending!.reference)!.id));
  fake.setPollsUntilDone(2);
});

test('an ERROR status rejects the document with Onea message', async () => {
  fake.failTransfers('Supplier unknown in the dossier');
  const { pending } = await connector.deliver!(delivery());
  fake.failTransfers(undefined);
  const ask = () =>
    connector.confirmDelivery!({
      reference: pending!.reference,
      documentType: 'purchase-invoice',
      settings: {},
      credentials: { kind: 'secrets', secrets: { apiKey: API_KEY } },
    });
  assert.deepEqual(await ask(), { done: false });
  await assert.rejects(ask(), rejectsAs('rejected', /status ERROR.*Supplier unknown in the dossier/));
});

test('an unknown key means the connection needs a new key; the key never appears in the message', async () => {
  await assert.rejects(
    connector.deliver!(delivery({ apiKey: 'revoked-key-123' })),
    (error: unknown) =>
      rejectsAs('auth-expired', /Onea no longer accepts/)(error) &&
      !(error as Error).message.includes('revoked-key-123'),
  );
});

test('data that is not UBL is rejected with Onea reason', async () => {
  await assert.rejects(
    connector.deliver!(delivery({ content: Buffer.from('not an invoice') })),
    rejectsAs('rejected', /not an UBL Invoice/),
  );
});

test('5xx and 429 are retried (Retry-After honoured), an unknown uuid is rejected, no answer is unavailable', async () => {
  fake.failNext({ status: 503, path: '/restv1/einvoice/incoming' });
  await assert.rejects(connector.deliver!(delivery()), rejectsAs('unavailable', /Onea could not accept/));
  fake.failNext({ status: 429, path: '/restv1/einvoice/status', headers: { 'retry-after': '7' } });
  const confirm = (reference: string, target = connector) =>
    target.confirmDelivery!({
      reference,
      documentType: 'purchase-invoice',
      settings: {},
      credentials: { kind: 'secrets', secrets: { apiKey: API_KEY } },
    });
  await assert.rejects(
    confirm('any'),
    (error: unknown) =>
      rejectsAs('rate-limited', /slow down/)(error) && (error as ConnectorError).retryAfterMs === 7000,
  );
  await assert.rejects(
    confirm('f1e2d3c4-0000-4000-8000-00000000dead'),
    rejectsAs('rejected', /Unknown transfer/),
  );
  const closed = onea.create(onea.configSchema.parse({ ONEA_API_URL: 'http://127.0.0.1:9/restv1' }));
  await assert.rejects(confirm('any', closed), rejectsAs('unavailable', /could not be reached/));
});
