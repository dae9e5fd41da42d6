/*
 * The PingWin connector against its contract fake (the assumed contract of connectors/pingwin/README.md):
 * the setup's harmless call, exactly-once filing, and the classification of every kind of answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pingwin from '../../connectors/pingwin';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { ConnectorImplementation, DeliveryInput } from '../../connectors/types';
import { defaultPingwinFile, pingwinEnv, startPingwinFake, type PingwinFake } from '../fakes/pingwin';
import { sampleDeliveryInput } from '../helpers/delivery-input';

const FILE = defaultPingwinFile;
let fake: PingwinFake;
let connector: ConnectorImplementation;

before(async () => {
  fake = await startPingwinFake();
  connector = pingwin.create(pingwin.configSchema.parse(pingwinEnv(fake)));
});
after(() => fake?.close());

const values = (overrides: Record<string, unknown> = {}) => ({
  apiKey: FILE.apiKey,
  clid: FILE.clid,
  fileId: FILE.fileId,
  ...overrides,
});

function invoice(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return sampleDeliveryInput(
    { clid: FILE.clid, fileId: FILE.fileId },
    { kind: 'secrets', secrets: { apiKey: FILE.apiKey } },
    overrides,
  );
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

const filedFor = (deliveryId: string) =>
  fake.documents(FILE.fileId).filter((document) => document.externalId === deliveryId);

test('the default address is the placeholder until a deployment configures the vendor endpoint', () => {
  const config = pingwin.configSchema.parse({});
  assert.equal(config.apiUrl, 'https://api.pingwin.invalid');
  assert.equal(config.documentsPath, '/v1/files/{fileId}/documents');
  assert.equal(pingwin.descriptor.available, true);
  assert.equal(pingwin.descriptor.assumedContract, true);
});

test('setup: the file opens with the key and CLID; the key is kept secret, CLID and file ID as settings', async () => {
  const checked = await connector.checkCredentials!({ values: values(), settings: {} });
  assert.deepEqual(checked.secrets, { apiKey: FILE.apiKey });
  assert.deepEqual(checked.settings, { clid: FILE.clid, fileId: FILE.fileId });
  assert.equal(checked.account?.name, FILE.name);
  assert.ok(!JSON.stringify(checked.settings).includes(FILE.apiKey));
});

test('setup: a wrong key, CLID or file ID is refused with PingWin’s message, never echoing the key', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ apiKey: 'pw_live_wrong' }, /PingWin refused these details: Invalid API key for this file/],
    [{ clid: 'CL-1' }, /CLID not authorised for this file/],
    [{ fileId: '999' }, /Unknown file 999/],
  ];
  for (const [overrides, message] of cases) {
    const error = await failure(connector.checkCredentials!({ values: values(overrides), settings: {} }));
    assert.equal(error.kind, 'invalid-credentials');
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /pw_live/);
  }
});

test('setup: empty values are refused by the field schemas, naming the field', async () => {
  const error = await failure(connector.checkCredentials!({ values: values({ clid: ' ' }), settings: {} }));
  assert.equal(error.kind, 'invalid-credentials');
  assert.match(error.message, /clid: Enter the CLID you received from PingWin support/);
});

test('setup: PingWin down is a refusal of the step that says so', async () => {
  fake.knobs.failNext({ status: 503, body: '{"message":"maintenance"}' });
  const error = await failure(connector.checkCredentials!({ values: values(), settings: {} }));
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /could not check these details right now: maintenance/);
});

test('delivery files the document once, with its direction, and a repeat finds it', async () => {
  const input = invoice({ documentType: 'sales-invoice' });
  const first = await connector.deliver!(input);
  assert.equal(first.alreadyPresent, false);
  const filed = filedFor(input.deliveryId);
  assert.equal(filed.length, 1);
  assert.equal(filed[0]!.direction, 'sales');
  assert.deepEqual(filed[0]!.content, input.content);
  assert.equal(first.remoteId, filed[0]!.id);

  const again = await connector.deliver!(input);
  assert.equal(again.alreadyPresent, true);
  assert.equal(again.remoteId, first.remoteId);
  assert.equal(filedFor(input.deliveryId).length, 1, 'still one document');
});

test('an upload whose answer was lost is found by the next attempt, not filed twice', async () => {
  const input = invoice();
  fake.knobs.loseNextUploadAnswer();
  const lost = await failure(connector.deliver!(input));
  assert.equal(lost.kind, 'unavailable', 'no answer: retry');
  assert.equal(filedFor(input.deliveryId).length, 1, 'PingWin filed it nonetheless');
  const retried = await connector.deliver!(input);
  assert.equal(retried.alreadyPresent, true);
  assert.equal(filedFor(input.deliveryId).length, 1);
});

test('two attempts racing past the lookup: the Idempotency-Key turns the second into a duplicate', async () => {
  const input = invoice();
  const [a, b] = await Promise.all([connector.deliver!(input), connector.deliver!(input)]);
  assert.equal(filedFor(input.deliveryId).length, 1);
  assert.equal(a.remoteId, b.remoteId);
  const uploads = fake.log.filter(
    (entry) => entry.method === 'POST' && entry.idempotencyKey === input.deliveryId,
  );
  assert.ok(uploads.length >= 1 && uploads.every((entry) => [201, 409].includes(entry.status)));
});

test('delivery classifies PingWin’s answers', async () => {
  const cases: Array<{
    failure: Parameters<PingwinFake['knobs']['failNext']>[0];
    kind: ConnectorErrorKind;
    retryAfterMs?: number;
    message?: RegExp;
  }> = [
    {
      failure: { status: 401, body: '{"message":"API key revoked"}' },
      kind: 'auth-expired',
      message: /API key revoked/,
    },
    {
      failure: { status: 403, body: '{"message":"CLID disabled"}' },
      kind: 'auth-expired',
      message: /CLID disabled/,
    },
    { failure: { status: 429, retryAfter: '30' }, kind: 'rate-limited', retryAfterMs: 30_000 },
    { failure: { status: 503, retryAfter: '120' }, kind: 'unavailable', retryAfterMs: 120_000 },
    {
      failure: {
        status: 400,
        body: '{"message":"Supplier VAT number unknown in this file"}',
        method: 'POST',
      },
      kind: 'rejected',
      message: /PingWin refused to file the invoice .*: Supplier VAT number unknown in this file/,
    },
    { failure: { status: 500, body: 'Internal error' }, kind: 'unavailable' },
  ];
  for (const expected of cases) {
    const input = invoice();
    fake.knobs.failNext(expected.failure);
    const error = await failure(connector.deliver!(input));
    const what = `HTTP ${expected.failure.status}`;
    assert.equal(error.kind, expected.kind, what);
    assert.equal(error.retryAfterMs, expected.retryAfterMs, what);
    if (expected.message) assert.match(error.message, expected.message, what);
    assert.doesNotMatch(error.message, /pw_live/, `${what}: no key in the message`);
    assert.equal(filedFor(input.deliveryId).length, 0, `${what}: nothing filed`);
  }
});

test('the fake’s own refusal reaches the user: content that is not UBL is rejected with its text', async () => {
  const input = invoice({ content: Buffer.from('not xml at all') });
  const error = await failure(connector.deliver!(input));
  assert.equal(error.kind, 'rejected');
  assert.match(error.message, /content is not a UBL Invoice or CreditNote/);
});

test('a PingWin that cannot be reached is retried', async () => {
  const closed = await startPingwinFake();
  const url = closed.url;
  await closed.close();
  const offline = pingwin.create(pingwin.configSchema.parse({ PINGWIN_API_URL: url }));
  const error = await failure(offline.deliver!(invoice()));
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /PingWin could not be reached/);
});

test('the paths are configuration: another documents path is what the client calls', async () => {
  const moved = pingwin.create(
    pingwin.configSchema.parse({ ...pingwinEnv(fake), PINGWIN_DOCUMENTS_PATH: '/v2/files/{fileId}/inbox' }),
  );
  const before = fake.log.length;
  const error = await failure(moved.deliver!(invoice()));
  assert.equal(error.kind, 'rejected', 'the fake knows no such path (404)');
  assert.ok(fake.log.slice(before).some((entry) => entry.path === `/v2/files/${FILE.fileId}/inbox`));
});
