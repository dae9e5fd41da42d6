import assert from 'node:assert/strict';
import { test } from 'node:test';
import yuki from '../../connectors/yuki';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import { nextMidnight } from '../../connectors/yuki/faults';
import { readSoapAnswer, soapEnvelope } from '../../connectors/shared/soap';
import type { ConnectorImplementation, DeliveryInput } from '../../connectors/types';
import { startYukiFake, YUKI_NAMESPACE, type YukiFake } from '../fakes/yuki';
import { ublBeInvoice } from '../helpers/delivery-api';

const PEETERS = { id: '0f7c1a52-3b9d-4e61-a8f4-5d2c9b7e1a30', name: 'Atelier Peeters BV' };
const DUPONT = { id: '7d4e2b91-6c3a-4f85-b0d7-2e9a1c5f8b64', name: 'Brasserie Dupont SRL' };
const OTHER_DOMAIN_ADMIN = { id: 'c2a9e7f4-1d6b-4a38-9e52-8b0f3d7a6c15', name: 'Immo Claes' };
const KEY = 'a1b2c3d4-e5f6-47a8-b9c0-d1e2f3a4b5c6';
const OTHER_KEY = 'f9e8d7c6-b5a4-4321-8fed-cba987654321';
const PDF = Buffer.from('%PDF-1.4\n% the invoice as a PDF\n%%EOF\n');

interface Harness {
  be: YukiFake;
  nl: YukiFake;
  connector: ConnectorImplementation;
}

/** Fresh fakes (one per country host) and a fresh connector per test: sessions and quotas never leak. */
async function withYuki(run: (harness: Harness) => Promise<void>): Promise<void> {
  const be = await startYukiFake({
    domains: [
      { id: 'domain-peeters', apiKey: KEY, administrations: [PEETERS, DUPONT] },
      { id: 'domain-claes', apiKey: OTHER_KEY, administrations: [OTHER_DOMAIN_ADMIN] },
    ],
  });
  const nl = await startYukiFake({
    domains: [{ id: 'domain-nl', apiKey: 'nl-only-key', administrations: [] }],
  });
  try {
    const connector = yuki.create(
      yuki.configSchema.parse({ YUKI_BE_API_URL: be.url, YUKI_NL_API_URL: nl.url }),
    );
    await run({ be, nl, connector });
  } finally {
    await be.close();
    await nl.close();
  }
}

function delivery(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return {
    deliveryId: 'delivery-1',
    documentType: 'purchase-invoice',
    fileName: 'Peeters_V01-15000001_2026-11-30.xml',
    content: ublBeInvoice(),
    contentType: 'application/xml',
    document: {
      number: 'V01/15000001',
      issueDate: '2026-11-30',
      kind: 'invoice',
      supplierName: 'Peeters',
      customerName: 'Dupont',
    },
    settings: { country: 'be', administrationIds: [PEETERS.id] },
    credentials: { kind: 'secrets', secrets: { apiKey: KEY } },
    pdf: async () => PDF,
    ...overrides,
  };
}

async function rejectsWith(promise: Promise<unknown>, kind: ConnectorErrorKind): Promise<ConnectorError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return error instanceof ConnectorError && error.kind === kind;
  });
  return caught as ConnectorError;
}

const methods = (fake: YukiFake) => fake.calls.map((call) => call.method);

test('the credentials step authenticates the key on the chosen country host and keeps only the key as secret', () =>
  withYuki(async ({ be, nl, connector }) => {
    const checked = await connector.checkCredentials!({
      values: { apiKey: KEY, country: 'be' },
      settings: {},
    });
    assert.deepEqual(checked.secrets, { apiKey: KEY });
    assert.deepEqual(checked.settings, { country: 'be' });
    assert.deepEqual(methods(be), ['Authenticate']);
    assert.equal(nl.calls.length, 0);

    const refused = await rejectsWith(
      connector.checkCredentials!({ values: { apiKey: 'not-a-key', country: 'be' }, settings: {} }),
      'invalid-credentials',
    );
    assert.match(
      refused.message,
      /Yuki refused the API key: Authentication failed: the access key is not valid/,
    );
    assert.ok(!refused.message.includes('not-a-key'), 'the key is not repeated in the message');

    // A Dutch domain's key sent to the Belgian host is unknown there: the message points at the country.
    const wrongHost = await rejectsWith(
      connector.checkCredentials!({ values: { apiKey: 'nl-only-key', country: 'be' }, settings: {} }),
      'invalid-credentials',
    );
    assert.match(wrongHost.message, /yukiworks\.be or yukiworks\.nl/);
    await connector.checkCredentials!({ values: { apiKey: 'nl-only-key', country: 'nl' }, settings: {} });
    assert.deepEqual(methods(nl), ['Authenticate']);
  }));

test('the administrations are those of the key’s domain, on the session the credentials step opened', () =>
  withYuki(async ({ be, connector }) => {
    await connector.checkCredentials!({ values: { apiKey: KEY, country: 'be' }, settings: {} });
    const listed = await connector.listAdministrations!({
      credentials: { kind: 'secrets', secrets: { apiKey: KEY } },
      settings: { country: 'be' },
    });
    assert.deepEqual(listed, [PEETERS, DUPONT]);
    assert.deepEqual(methods(be), ['Authenticate', 'Administrations'], 'no second Authenticate');
    assert.equal(be.calls[1]!.service, 'Accounting');
  }));

test('a delivery uploads the UBL and its PDF together, once, in the chosen administration', () =>
  withYuki(async ({ be, connector }) => {
    const receipt = await connector.deliver!(delivery());
    assert.equal(be.documents.length, 1);
    const stored = be.documents[0]!;
    assert.equal(receipt.remoteId, stored.id);
    assert.equal(receipt.alreadyPresent, false);
    assert.equal(stored.administrationId, PEETERS.id);
    assert.equal(stored.domainId, 'domain-peeters');
    assert.equal(stored.fileName1, 'Peeters_V01-15000001_2026-11-30.xml');
    assert.deepEqual(stored.data1, ublBeInvoice());
    assert.equal(stored.fileName2, 'Peeters_V01-15000001_2026-11-30.pdf');
    assert.deepEqual(stored.data2, PDF);
    assert.equal(stored.folder, 1, 'purchase invoices folder');
    assert.equal(stored.currency, 'EUR');
    const payable = /<cbc:PayableAmount[^>]*>([^<]+)</.exec(ublBeInvoice().toString('utf8'))![1]!.trim();
    assert.equal(stored.amount, payable, 'the amount due, as the invoice writes it');
    assert.equal(stored.remarks, 'Relais delivery-1');
    assert.deepEqual(methods(be), ['Authenticate', 'SearchDocuments', 'UploadDocumentWithAttachment']);
    for (const call of be.calls) {
      assert.equal(call.soapAction, `"${YUKI_NAMESPACE}${call.method}"`);
      assert.equal(call.fault, undefined);
    }
    // A second delivery of another document reuses the session: Authenticate costs a daily call.
    await connector.deliver!(
      delivery({ deliveryId: 'delivery-2', fileName: 'Peeters_V01-2_2026-11-30.xml' }),
    );
    assert.equal(methods(be).filter((method) => method === 'Authenticate').length, 1);
    assert.equal(be.callsToday('domain-peeters'), 5, 'every call counts against the domain');
  }));

test('a retry after a crash after the upload finds the earlier upload instead of sending it twice', () =>
  withYuki(async ({ be, connector }) => {
    be.loseNextUploadAnswer();
    await rejectsWith(connector.deliver!(delivery()), 'unavailable');
    assert.equal(be.documents.length, 1, 'Yuki stored it though the answer was lost');

    const retried = await connector.deliver!(delivery());
    assert.equal(retried.alreadyPresent, true);
    assert.equal(retried.remoteId, be.documents[0]!.id);
    assert.equal(be.documents.length, 1);

    // The same file name in another administration of the domain is not "ours": it is uploaded there.
    const elsewhere = await connector.deliver!(
      delivery({ settings: { country: 'be', administrationIds: [DUPONT.id] } }),
    );
    assert.equal(elsewhere.alreadyPresent, false);
    assert.equal(be.documents.length, 2);
  }));

test('a refused session authenticates again once and the delivery goes on', () =>
  withYuki(async ({ be, connector }) => {
    await connector.deliver!(delivery());
    be.expireSessions();
    await connector.deliver!(
      delivery({ deliveryId: 'delivery-2', fileName: 'Peeters_V01-2_2026-11-30.xml' }),
    );
    assert.deepEqual(methods(be).slice(3), [
      'SearchDocuments',
      'Authenticate',
      'SearchDocuments',
      'UploadDocumentWithAttachment',
    ]);
    assert.match(be.calls[3]!.fault ?? '', /session/i);
    assert.equal(be.documents.length, 2);
  }));

test('a session refused again right after re-authenticating is not retried in a loop: unavailable', () =>
  withYuki(async ({ be, connector }) => {
    be.refuseNextSessions(2);
    const error = await rejectsWith(connector.deliver!(delivery()), 'unavailable');
    assert.match(error.message, /refused the session it had just opened/);
    assert.deepEqual(methods(be), ['Authenticate', 'SearchDocuments', 'Authenticate', 'SearchDocuments']);
    assert.equal(be.documents.length, 0);
  }));

test('a key deleted in Yuki means the connection needs re-authorization at delivery time', () =>
  withYuki(async ({ be, connector }) => {
    await connector.deliver!(delivery());
    be.revokeKey(KEY);
    be.expireSessions();
    const error = await rejectsWith(
      connector.deliver!(delivery({ deliveryId: 'delivery-2', fileName: 'other.xml' })),
      'auth-expired',
    );
    assert.match(error.message, /Enter a valid Yuki API key to reconnect/);
    assert.equal(be.documents.length, 1);
  }));

test('an administration of another domain is a setting to change, not a retry', () =>
  withYuki(async ({ be, connector }) => {
    const error = await rejectsWith(
      connector.deliver!(
        delivery({ settings: { country: 'be', administrationIds: [OTHER_DOMAIN_ADMIN.id] } }),
      ),
      'misconfigured',
    );
    assert.match(error.message, /not accessible with this access key/);
    assert.equal(be.documents.length, 0);
    await rejectsWith(connector.deliver!(delivery({ settings: { country: 'be' } })), 'misconfigured');
  }));

test('the daily quota is rate-limited until midnight in Brussels', () =>
  withYuki(async ({ be, connector }) => {
    be.setCallsToday('domain-peeters', 1000);
    const before = Date.now();
    const error = await rejectsWith(connector.deliver!(delivery()), 'rate-limited');
    const resumesAt = before + error.retryAfterMs!;
    const brussels = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Brussels',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    // Within the few ms the call took, the retry lands on 00:00 Belgian time, within the next 24 h.
    assert.equal(brussels.format(new Date(resumesAt + 5_000)), '00:00');
    assert.ok(error.retryAfterMs! > 0 && error.retryAfterMs! <= 24 * 3_600_000);
    assert.match(error.message, /Maximum number of web service calls \(1000\) per day/);
    assert.equal(be.documents.length, 0);

    // The next Brussels day has a fresh allowance.
    be.advanceTime(error.retryAfterMs! + 1_000);
    assert.equal((await connector.deliver!(delivery())).alreadyPresent, false);
  }));

test('nextMidnight follows Brussels local time across daylight-saving changes', () => {
  const at = (iso: string) => new Date(nextMidnight(Date.parse(iso))).toISOString();
  assert.equal(at('2026-07-01T12:00:00Z'), '2026-07-01T22:00:00.000Z'); // CEST
  assert.equal(at('2026-07-01T22:30:00Z'), '2026-07-02T22:00:00.000Z'); // already 2 July in Brussels
  assert.equal(at('2026-01-15T08:00:00Z'), '2026-01-15T23:00:00.000Z'); // CET
  assert.equal(at('2026-03-28T12:00:00Z'), '2026-03-28T23:00:00.000Z'); // the night of the change to CEST
  assert.equal(at('2026-03-29T12:00:00Z'), '2026-03-29T22:00:00.000Z');
  assert.equal(at('2026-10-24T12:00:00Z'), '2026-10-24T22:00:00.000Z'); // the night of the change to CET
  assert.equal(at('2026-10-25T12:00:00Z'), '2026-10-25T23:00:00.000Z');
});

test('an answer that is not SOAP (a proxy page) is unavailable; a refused upload is rejected with Yuki’s words', () =>
  withYuki(async ({ be, connector }) => {
    be.failNext('SearchDocuments', { status: 503, body: '<html><body>Service Unavailable</body></html>' });
    const down = await rejectsWith(connector.deliver!(delivery()), 'unavailable');
    assert.match(down.message, /HTTP 503/);

    const refused = await rejectsWith(connector.deliver!(delivery({ fileName: '' })), 'rejected');
    assert.match(
      refused.message,
      /Yuki refused to upload invoice V01\/15000001: fileName1 and fileName2 are required/,
    );
    assert.equal(be.documents.length, 0);
  }));

test('envelopes escape text so that "&", "<" and entity-like names arrive literally', () =>
  withYuki(async ({ be, connector }) => {
    const fileName = 'R&D <Peeters> &copy;_V01.xml';
    await connector.deliver!(delivery({ fileName }));
    assert.equal(be.documents[0]!.fileName1, fileName);
    const again = await connector.deliver!(delivery({ fileName }));
    assert.equal(again.alreadyPresent, true, 'the search finds the name as it was stored');
    const envelope = soapEnvelope(YUKI_NAMESPACE, 'Authenticate', [['accessKey', 'a&copy;b']]);
    assert.ok(envelope.includes('<accessKey>a&amp;copy;b</accessKey>'));
  }));

test('the contract fake refuses what Yuki refuses: SOAPAction, namespace, sessions, base64', () =>
  withYuki(async ({ be }) => {
    const post = async (service: string, action: string, body: string) => {
      const response = await fetch(`${be.url}/${service}.asmx`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: action },
        body,
      });
      return { status: response.status, answer: readSoapAnswer(await response.text()) };
    };
    const faultOf = (answer: ReturnType<typeof readSoapAnswer>) =>
      'fault' in answer ? answer.fault.message : '';
    const authenticate = soapEnvelope(YUKI_NAMESPACE, 'Authenticate', [['accessKey', KEY]]);

    const mismatch = await post('Archive', `"${YUKI_NAMESPACE}Administrations"`, authenticate);
    assert.equal(mismatch.status, 500);
    assert.match(faultOf(mismatch.answer), /did not recognize the value of HTTP Header SOAPAction/);

    const wrongNamespace = soapEnvelope('http://tempuri.org/', 'Authenticate', [['accessKey', KEY]]);
    assert.match(
      faultOf((await post('Archive', '"http://tempuri.org/Authenticate"', wrongNamespace)).answer),
      /not in the namespace/,
    );

    const forged = soapEnvelope(YUKI_NAMESPACE, 'Administrations', [['sessionID', 'made-up-session']]);
    assert.match(
      faultOf((await post('Accounting', `"${YUKI_NAMESPACE}Administrations"`, forged)).answer),
      /Invalid or expired session ID/,
    );

    const ok = await post('Archive', `"${YUKI_NAMESPACE}Authenticate"`, authenticate);
    assert.equal(ok.status, 200);
    const sessionId = 'result' in ok.answer ? ok.answer.result.textContent!.trim() : '';
    assert.ok(sessionId);
    const upload = soapEnvelope(YUKI_NAMESPACE, 'UploadDocumentWithAttachment', [
      ['sessionID', sessionId],
      ['fileName1', 'a.xml'],
      ['data1', 'this is not base64!'],
      ['fileName2', 'a.pdf'],
      ['data2', 'JVBERg=='],
      ['folder', 1],
      ['administrationID', PEETERS.id],
      ['currency', 'EUR'],
      ['amount', '12.10'],
      ['costCategory', ''],
      ['paymentMethod', 0],
      ['project', ''],
      ['remarks', ''],
    ]);
    assert.match(
      faultOf((await post('Archive', `"${YUKI_NAMESPACE}UploadDocumentWithAttachment"`, upload)).answer),
      /data1 is not valid base64/,
    );
    assert.equal(be.documents.length, 0);
  }));
