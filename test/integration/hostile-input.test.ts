/*
 * Hostile input against the running API. Every refusal must be a clear 4xx with a message, store
 * nothing (row counts of every tenant table before and after), and leave the service serving
 * (GET /healthz 200). Hostile content that is valid (odd invoice numbers and party names) is
 * accepted and delivered under safe file names, checked where they land: the Dropbox fake.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { syntheticDocument } from '../../documents/sample-invoice';
import { waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';
import { startSshServer, type SshServer } from '../helpers/sshd';
import { hostileClient } from '../helpers/refusals';

/** Small enough to send past it quickly, large enough for the 20,000-line invoice (about 9.5 MB). */
const DOCUMENT_MAX_BYTES = 12 * 1024 * 1024;
const JSON_LIMIT = 1024 * 1024;

let dropbox: DropboxFake;
let sshd: SshServer;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  sshd = await startSshServer();
  relais = await startTestRelais({ ...dropboxEnv(dropbox), DOCUMENT_MAX_BYTES: String(DOCUMENT_MAX_BYTES) });
  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
});
after(async () => {
  await relais?.close();
  await sshd?.stop();
  await dropbox?.close();
});

const { send, refused, post } = hostileClient(() => relais);

async function createConnection(connectorId: string, tenant?: TestTenant): Promise<string> {
  const created = await relais.api(
    'POST',
    '/v1/connections',
    { connectorId, documentType: 'purchase-invoice' },
    tenant ? { tenant } : {},
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id;
}

test('malformed, truncated and mistyped JSON: 400 or 415 naming the problem', async () => {
  const connectionId = await createConnection('sftp');
  const valid = '{"connectorId":"sftp","documentType":"purchase-invoice"}';
  for (const path of ['/v1/connections', `/v1/connections/${connectionId}/steps/format`]) {
    for (const length of [1, 10, valid.length - 1]) {
      await refused(`truncated JSON on ${path}`, () => post(path, valid.slice(0, length)), {
        status: 400,
        error: 'invalid-json',
        message: /not valid JSON/,
      });
    }
    for (const [what, body] of [
      ['unquoted keys', '{connectorId: sftp}'],
      ['a trailing comma', '{"format": "ubl-be-3",}'],
      ['a bare value', '"ubl-be-3"'],
      ['nesting 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ] as const) {
      const answer = await refused(`${what} on ${path}`, () => post(path, body), { status: 400 });
      assert.match(answer.body.error, /invalid-json|invalid-request/, what);
    }
    await refused(`a JSON array on ${path}`, () => post(path, '[]'), {
      status: 400,
      error: 'invalid-request',
      message: /expected object/,
    });
    await refused(
      `Latin-1 JSON on ${path}`,
      () => post(path, valid, 'application/json; charset=iso-8859-1'),
      {
        status: 415,
        message: /charset/,
      },
    );
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      await refused(`${contentType} on ${path}`, () => post(path, valid, contentType), {
        status: 415,
        error: 'unsupported-media-type',
        message: /application\/json/,
      });
    }
  }
  await refused('a document as truncated JSON', () => post('/v1/documents', '{"documentType":"purc'), {
    status: 400,
    error: 'invalid-json',
  });
  await refused('a document as text/plain', () => post('/v1/documents', valid, 'text/plain'), {
    status: 415,
    error: 'unsupported-media-type',
  });
  await refused(
    'JSON sent as XML',
    () => post('/v1/documents?documentType=purchase-invoice', valid, 'application/xml'),
    {
      status: 400,
      error: 'malformed-xml',
    },
  );

  // A __proto__ key is an own property after JSON.parse: it neither pollutes nor breaks anything.
  const polluting = await post(
    '/v1/connections',
    '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"connectorId":"sftp","documentType":"purchase-invoice"}',
  );
  assert.equal(polluting.status, 201, JSON.stringify(polluting.body));
  assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'Object.prototype is untouched');
});

test('oversized bodies: 413 above 1 MB on JSON routes and above DOCUMENT_MAX_BYTES for documents', async () => {
  const connectionId = await createConnection('sftp');
  const padded = (bytes: number) =>
    JSON.stringify({ connectorId: 'sftp', documentType: 'purchase-invoice', padding: 'x'.repeat(bytes) });
  for (const path of ['/v1/connections', `/v1/connections/${connectionId}/steps/credentials`]) {
    await refused(`1 MB + 1 byte on ${path}`, () => post(path, padded(JSON_LIMIT)), {
      status: 413,
      error: 'payload-too-large',
      message: /limit of 1048576 bytes/,
    });
  }
  const invoice = syntheticDocument({
    number: 'BIG-BODY',
    lines: [{ net: '10.00', category: 'S', percent: '21' }],
  });
  const oversized = invoice.replace('</Invoice>', `<!--${'x'.repeat(DOCUMENT_MAX_BYTES)}--></Invoice>`);
  await refused(
    'an XML document over the limit',
    () => post('/v1/documents?documentType=purchase-invoice', oversized, 'application/xml'),
    {
      status: 413,
      error: 'payload-too-large',
    },
  );
  await refused(
    'a JSON document whose XML is over the limit',
    () => post('/v1/documents', JSON.stringify({ documentType: 'purchase-invoice', xml: oversized })),
    {
      status: 413,
      error: 'payload-too-large',
      message: new RegExp(`the limit is ${DOCUMENT_MAX_BYTES} bytes`),
    },
  );
});

test('XML with a DTD, external entities or billion laughs is refused before any parser expands it', async () => {
  let fetchedByUs = 0;
  const bait = createServer((_req, res) => {
    fetchedByUs += 1;
    res.end('<!ENTITY x "pwned">');
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  const baitUrl = `http://127.0.0.1:${(bait.address() as AddressInfo).port}/evil.dtd`;
  const invoice = syntheticDocument({
    number: 'DTD-1',
    lines: [{ net: '10.00', category: 'S', percent: '21' }],
  });
  const withDoctype = (doctype: string, entity = '') =>
    invoice
      .replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}`)
      .replace('<cbc:ID>DTD-1</cbc:ID>', `<cbc:ID>DTD-1${entity}</cbc:ID>`);
  const laughs = [
    '<!DOCTYPE Invoice [',
    '<!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
    ']>',
  ].join('\n');
  const attacks: [string, string][] = [
    ['an internal entity', withDoctype('<!DOCTYPE Invoice [<!ENTITY x "y">]>', '&x;')],
    [
      'an external entity (file)',
      withDoctype('<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
    ],
    [
      'an external entity (http)',
      withDoctype(`<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "${baitUrl}">]>`, '&xxe;'),
    ],
    ['an external DTD', withDoctype(`<!DOCTYPE Invoice SYSTEM "${baitUrl}">`)],
    ['a parameter entity', withDoctype(`<!DOCTYPE Invoice [<!ENTITY % p SYSTEM "${baitUrl}"> %p;]>`)],
    ['billion laughs', withDoctype(laughs, '&lol9;')],
    ['a lowercase doctype', withDoctype('<!doctype Invoice>')],
  ];
  try {
    for (const [what, xml] of attacks) {
      for (const asJson of [false, true]) {
        const started = Date.now();
        await refused(
          `${what}${asJson ? ' (JSON form)' : ''}`,
          () =>
            asJson
              ? post('/v1/documents', JSON.stringify({ documentType: 'purchase-invoice', xml }))
              : post('/v1/documents?documentType=purchase-invoice', xml, 'application/xml'),
          { status: 400, error: 'dtd-forbidden', message: /DTDs and entity declarations are refused/ },
        );
        assert.ok(Date.now() - started < 5_000, `${what}: refused at once`);
      }
    }
    await refused(
      'an undeclared entity',
      () =>
        post(
          '/v1/documents?documentType=purchase-invoice',
          invoice.replace('DTD-1', 'DTD-1&nbsp;'),
          'application/xml',
        ),
      {
        status: 400,
      },
    );
    assert.equal(fetchedByUs, 0, 'nothing was fetched for an entity or a DTD');
  } finally {
    bait.close();
  }
});

/** Text as XML character data. */
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');

/** Characters a file name must not carry: separators, controls, bidi and zero-width tricks, Windows' reserved. */
// eslint-disable-next-line no-control-regex
const unsafeInName = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\\:*?"<>|]/u;

function assertSafePath(path: string, what: string): void {
  const segments = path.split('/');
  assert.equal(segments.length, 4, `${what}: Invoice_import/<company>/AP/<file>: ${JSON.stringify(path)}`);
  assert.equal(segments[0], 'Invoice_import', what);
  assert.equal(path, path.normalize('NFC'), `${what}: NFC`);
  for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const) {
    const normalized = path.normalize(form).split('/');
    assert.equal(normalized.length, 4, `${what}: still four segments in ${form}`);
    for (const segment of normalized) {
      assert.ok(!['', '.', '..'].includes(segment), `${what}: ${JSON.stringify(segment)} in ${form}`);
    }
  }
  for (const segment of segments.slice(1)) {
    assert.doesNotMatch(segment, unsafeInName, `${what}: ${JSON.stringify(segment)}`);
    assert.doesNotMatch(
      segment,
      /^[. ]|[. ]$/,
      `${what}: no hidden or trailing-dot names: ${JSON.stringify(segment)}`,
    );
    assert.doesNotMatch(segment, /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i, `${what}: ${segment}`);
  }
}

test('path traversal, control characters and unicode tricks in numbers and names: accepted, delivered under safe names', async () => {
  const hostile = [
    '../../../etc/passwd',
    '..\\..\\Windows\\win.ini',
    '/root/.ssh/authorized_keys',
    'INV\t1\n2\r3',
    'INV\u007f\u0085\u009b4',
    'INV-\u202Egpj.exe',
    'CON',
    'nul.txt',
    '...',
    '.hidden',
    'Facture-e\u0301te\u0301', // NFD
    'Facture-\u00e9t\u00e9', // NFC: the same text
    '\uff0e\uff0e\uff0fetc\uff0fpasswd', // fullwidth "../etc/passwd"
    '\u2024\u2024\u2215\u2044x', // one-dot leaders, division and fraction slashes
    '\u2488\u2488\u2488', // "digit one full stop": NFKC turns it into "1."
    '\u200b..\u200b/\u200d',
    'x'.repeat(400),
  ];
  const submitted: { what: string; deliveryId: string; number: string }[] = [];
  for (const [index, number] of hostile.entries()) {
    const customer = hostile[(index + 3) % hostile.length]!;
    const xml = syntheticDocument({
      number: escapeXml(number),
      supplierName: escapeXml(hostile[(index + 1) % hostile.length]!),
      lines: [{ net: '10.00', category: 'S', percent: '21' }],
    }).replace('Klant BV', escapeXml(customer));
    const answer = await send('POST', '/v1/documents?documentType=purchase-invoice', xml, {
      contentType: 'application/xml',
      headers: { 'idempotency-key': `hostile-${index}` },
    });
    assert.equal(answer.status, 202, `${JSON.stringify(number)}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.deliveries.length, 1);
    submitted.push({ what: JSON.stringify(number), deliveryId: answer.body.deliveries[0].id, number });
  }
  const delivered = await Promise.all(
    submitted.map(({ deliveryId }) => waitForStatus(relais, deliveryId, 'delivered', { timeoutMs: 60_000 })),
  );
  const names = new Set<string>();
  for (const [index, delivery] of delivered.entries()) {
    const { what } = submitted[index]!;
    const path: string = delivery.receipt.remotePath;
    assert.ok(dropbox.files.has(path), `${what}: the file is at ${path} in Dropbox`);
    assertSafePath(path.replace(/^\//, ''), what);
    names.add(path.normalize('NFC').toLowerCase());
  }
  assert.equal(names.size, delivered.length, 'no two documents landed on the same file');
  const nfd = delivered[hostile.indexOf('Facture-e\u0301te\u0301')]!.receipt.remotePath as string;
  assert.match(nfd, /Facture-\u00e9t\u00e9/, 'decomposed text arrives composed (NFC)');
  assert.equal((await fetch(`${relais.url}/healthz`)).status, 200);
});

test('control characters XML itself forbids are refused as malformed, naming the character', async () => {
  const xml = syntheticDocument({
    number: 'CTRL-\u0001',
    lines: [{ net: '10.00', category: 'S', percent: '21' }],
  });
  await refused(
    'U+0001 in the invoice number',
    () => post('/v1/documents?documentType=purchase-invoice', xml, 'application/xml'),
    {
      status: 400,
      message: /U\+0001 is not allowed in XML/,
    },
  );
  const referenced = xml.replace('CTRL-\u0001', 'CTRL-&#1;');
  await refused(
    '&#1; in the invoice number',
    () => post('/v1/documents?documentType=purchase-invoice', referenced, 'application/xml'),
    {
      status: 400,
    },
  );
});

test('an invoice of 20,000 lines is accepted and delivered, and the service keeps serving', async () => {
  const lines = Array.from({ length: 20_000 }, (_, index) => ({
    net: `${(index % 97) + 1}.00`,
    category: 'S',
    percent: '21',
  }));
  const xml = syntheticDocument({ number: 'HUGE-20000', lines });
  assert.ok(xml.length < DOCUMENT_MAX_BYTES, `${xml.length} bytes`);
  const answer = await send('POST', '/v1/documents?documentType=purchase-invoice', xml, {
    contentType: 'application/xml',
  });
  assert.equal(answer.status, 202, JSON.stringify(answer.body).slice(0, 400));
  assert.equal((await fetch(`${relais.url}/healthz`)).status, 200);
  const delivery = await waitForStatus(relais, answer.body.deliveries[0].id, 'delivered', {
    timeoutMs: 180_000,
  });
  const file = dropbox.files.get(delivery.receipt.remotePath);
  assert.ok(file && file.bytes.length > xml.length / 2, 'the whole invoice arrived');
  assert.equal((await relais.api('GET', '/v1/connections')).status, 200, 'still serving');
});
