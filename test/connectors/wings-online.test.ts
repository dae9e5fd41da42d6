/*
 * The Wings Online connector against its contract fake (the assumed SOAP contract of
 * connectors/wings-online/README.md): the setup's harmless call, the journal per document type,
 * exactly-once imports, and the classification of every kind of answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { ConnectorImplementation, DeliveryInput } from '../../connectors/types';
import wings from '../../connectors/wings-online';
import {
  defaultWingsFile,
  startWingsFake,
  wingsEnv,
  type WingsFailure,
  type WingsFake,
} from '../fakes/wings-online';
import { sampleDeliveryInput } from '../helpers/delivery-input';

const FILE = defaultWingsFile;
let fake: WingsFake;
let connector: ConnectorImplementation;

before(async () => {
  fake = await startWingsFake();
  connector = wings.create(wings.configSchema.parse(wingsEnv(fake)));
});
after(() => fake?.close());

const values = (overrides: Record<string, unknown> = {}) => ({
  username: FILE.username,
  password: FILE.password,
  internalNumber: String(FILE.internalNumber),
  receivablesJournal: 'VK1',
  payablesJournal: 'AK1',
  ...overrides,
});

const settings = {
  username: FILE.username,
  internalNumber: FILE.internalNumber,
  receivablesJournal: 'VK1',
  payablesJournal: 'AK1',
};

function invoice(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return sampleDeliveryInput(settings, { kind: 'secrets', secrets: { password: FILE.password } }, overrides);
}

async function failure(work: Promise<unknown>): Promise<ConnectorError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `a ConnectorError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

const bookedFor = (deliveryId: string) =>
  fake.bookings(FILE.internalNumber).filter((booking) => booking.externalReference === deliveryId);

test('the default endpoint is the placeholder; namespace and operations are configuration', () => {
  const config = wings.configSchema.parse({});
  assert.equal(config.endpoint, 'https://api.wings-online.invalid/ws');
  assert.deepEqual(config.operations, {
    checkLogin: 'CheckLogin',
    findDocument: 'FindDocument',
    importDocument: 'ImportDocument',
  });
  assert.equal(wings.descriptor.available, true);
  assert.equal(wings.descriptor.assumedContract, true);
  assert.deepEqual(
    wings.descriptor.formats.map((format) => format.id),
    ['ubl-be-3'],
  );
});

test('setup: CheckLogin signs in; the password is kept secret, the rest as settings', async () => {
  const checked = await connector.checkCredentials!({ values: values(), settings: {} });
  assert.deepEqual(checked.secrets, { password: FILE.password });
  assert.deepEqual(checked.settings, settings);
  assert.equal(checked.account?.name, FILE.companyName);
  const [call] = fake.log.slice(-1);
  assert.equal(call!.soapAction, '"urn:wings:online:import:v1/CheckLogin"');
});

test('setup: a wrong password or internal number is refused with Wings’ fault text, never the password', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ password: 'Not-the-pa55' }, /Wings Online refused these details: Invalid user name or password/],
    [{ internalNumber: '43' }, /No access to internal number 43/],
  ];
  for (const [overrides, message] of cases) {
    const error = await failure(connector.checkCredentials!({ values: values(overrides), settings: {} }));
    assert.equal(error.kind, 'invalid-credentials');
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /pa55/);
  }
});

test('setup: the field rules apply, with the Wings8 hint for a wrong user name', async () => {
  const wrongUser = await failure(
    connector.checkCredentials!({ values: values({ username: 'Wings123' }), settings: {} }),
  );
  assert.equal(wrongUser.kind, 'invalid-credentials');
  assert.match(
    wrongUser.message,
    /username: The Wings user name always starts with Wings8, for example Wings8123/,
  );
  const noJournal = await failure(
    connector.checkCredentials!({ values: values({ payablesJournal: '' }), settings: {} }),
  );
  assert.match(noJournal.message, /payablesJournal: Enter the code of the accounts payable journal/);
});

test('a purchase invoice goes to the payables journal, a sales invoice to the receivables journal', async () => {
  const purchase = invoice({ documentType: 'purchase-invoice' });
  const sale = invoice({ documentType: 'sales-invoice' });
  const purchaseReceipt = await connector.deliver!(purchase);
  const saleReceipt = await connector.deliver!(sale);
  assert.equal(bookedFor(purchase.deliveryId)[0]!.journal, 'AK1');
  assert.equal(bookedFor(sale.deliveryId)[0]!.journal, 'VK1');
  assert.deepEqual(bookedFor(sale.deliveryId)[0]!.content, sale.content);
  assert.equal(purchaseReceipt.alreadyPresent, false);
  assert.equal(saleReceipt.remoteId, bookedFor(sale.deliveryId)[0]!.documentId);
});

test('a repeated delivery finds its booking instead of importing again', async () => {
  const input = invoice();
  const first = await connector.deliver!(input);
  const again = await connector.deliver!(input);
  assert.equal(again.alreadyPresent, true);
  assert.equal(again.remoteId, first.remoteId);
  assert.equal(bookedFor(input.deliveryId).length, 1);
});

test('an import whose answer was lost is found by the next attempt, not booked twice', async () => {
  const input = invoice();
  fake.knobs.loseNextImportAnswer();
  const lost = await failure(connector.deliver!(input));
  assert.equal(lost.kind, 'unavailable');
  assert.equal(bookedFor(input.deliveryId).length, 1, 'Wings booked it nonetheless');
  const retried = await connector.deliver!(input);
  assert.equal(retried.alreadyPresent, true);
  assert.equal(bookedFor(input.deliveryId).length, 1);
});

test('two attempts racing past the lookup: the duplicate fault names the one booking', async () => {
  const input = invoice();
  const [a, b] = await Promise.all([connector.deliver!(input), connector.deliver!(input)]);
  assert.equal(bookedFor(input.deliveryId).length, 1);
  assert.equal(a.remoteId, b.remoteId);
  assert.ok([a, b].some((receipt) => receipt.alreadyPresent));
});

test('delivery classifies Wings’ answers', async () => {
  const cases: Array<{
    failure: WingsFailure;
    kind: ConnectorErrorKind;
    retryAfterMs?: number;
    message?: RegExp;
  }> = [
    {
      failure: { status: 401, fault: { code: 'Client.Authentication', message: 'Password expired' } },
      kind: 'auth-expired',
      message: /Password expired/,
    },
    {
      failure: { status: 403, fault: { code: 'Client.Authorization', message: 'Licence ended' } },
      kind: 'auth-expired',
      message: /Licence ended/,
    },
    { failure: { status: 429, retryAfter: '45' }, kind: 'rate-limited', retryAfterMs: 45_000 },
    {
      failure: { status: 503, retryAfter: '300', fault: { code: 'Server', message: 'Maintenance' } },
      kind: 'unavailable',
      retryAfterMs: 300_000,
    },
    {
      failure: {
        status: 400,
        operation: 'ImportDocument',
        fault: { code: 'Client', message: 'Period 2026/01 is closed' },
      },
      kind: 'rejected',
      message: /Wings Online refused to import the invoice .* into journal AK1: Period 2026\/01 is closed/,
    },
    {
      // SOAP 1.1 sends every fault with 500: a Client fault is still the document's refusal.
      failure: {
        status: 500,
        operation: 'ImportDocument',
        fault: { code: 'Client', message: 'Supplier unknown' },
      },
      kind: 'rejected',
      message: /Supplier unknown/,
    },
    { failure: { status: 500, fault: { code: 'Server', message: 'Database locked' } }, kind: 'unavailable' },
    { failure: { status: 502, raw: '<html>Bad gateway</html>' }, kind: 'unavailable' },
  ];
  for (const expected of cases) {
    const input = invoice();
    fake.knobs.failNext(expected.failure);
    const error = await failure(connector.deliver!(input));
    const what = `HTTP ${expected.failure.status} ${expected.failure.fault?.code ?? ''}`;
    assert.equal(error.kind, expected.kind, what);
    assert.equal(error.retryAfterMs, expected.retryAfterMs, what);
    if (expected.message) assert.match(error.message, expected.message, what);
    assert.doesNotMatch(error.message, /pa55/, `${what}: no password in the message`);
    assert.equal(bookedFor(input.deliveryId).length, 0, `${what}: nothing booked`);
  }
});

test('the fake’s own refusal reaches the user: a journal Wings does not know', async () => {
  const input = invoice({ settings: { ...settings, payablesJournal: 'XX9' } });
  const error = await failure(connector.deliver!(input));
  assert.equal(error.kind, 'rejected');
  assert.match(error.message, /Unknown journal XX9/);
});

test('a 200 that is not the assumed answer is retried, not taken as success', async () => {
  fake.knobs.failNext({ status: 200, raw: 'OK', operation: 'FindDocument' });
  const error = await failure(connector.deliver!(invoice()));
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /answer Relais cannot read/);
});

test('Wings Online unreachable is retried', async () => {
  const closed = await startWingsFake();
  await closed.close();
  const offline = wings.create(wings.configSchema.parse(wingsEnv(closed)));
  const error = await failure(offline.deliver!(invoice()));
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /Wings Online could not be reached/);
});

test('the operation names are configuration: a renamed operation is what the client calls', async () => {
  const renamed = wings.create(
    wings.configSchema.parse({ ...wingsEnv(fake), WINGS_OPERATION_CHECK_LOGIN: 'TestConnection' }),
  );
  const error = await failure(renamed.checkCredentials!({ values: values(), settings: {} }));
  assert.match(error.message, /Unknown operation TestConnection/);
  assert.equal(fake.log.at(-1)!.soapAction, '"urn:wings:online:import:v1/TestConnection"');
});
