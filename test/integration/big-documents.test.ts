/*
 * Large documents are parsed on worker threads: /healthz keeps answering while they are read, at most
 * RELAIS_MAX_LARGE_PARSES are read at once (503 with Retry-After beyond), and a DocumentError from a
 * thread gives the same 400 as one from an inline parse.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sampleInvoice } from '../../documents/sample-invoice';
import { submitDocument } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/** About 2.9 MB (481 bytes a line): far above the inline limit, small enough for CI. */
const LINES = 6_000;

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais({ RELAIS_PARSE_THREADS: '1', RELAIS_MAX_LARGE_PARSES: '2' });
});
after(async () => {
  await relais?.close();
});

test('big invoices are read off the event loop: /healthz answers meanwhile, beyond the bound 503 + Retry-After', async () => {
  const documents = Array.from({ length: 4 }, (_, i) => sampleInvoice({ number: `BIG-${i}`, lines: LINES }));
  const posts = documents.map(async (xml) => {
    const response = await fetch(`${relais.url}/v1/documents?documentType=purchase-invoice`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relais.tenant.apiKey}`, 'content-type': 'application/xml' },
      body: xml,
    });
    await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), at: Date.now() };
  });
  let done = false;
  const all = Promise.all(posts).finally(() => (done = true));
  const health: Array<{ status: number; at: number }> = [];
  while (!done) {
    const response = await fetch(`${relais.url}/healthz`);
    await response.text();
    health.push({ status: response.status, at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const answers = await all;
  const statuses = answers.map((a) => a.status);
  for (const answer of answers) {
    assert.ok([202, 503].includes(answer.status), JSON.stringify(answers));
    if (answer.status === 503) assert.match(answer.retryAfter ?? '', /^\d+$/);
  }
  assert.ok(statuses.includes(202), `none accepted: ${statuses}`);
  assert.ok(statuses.includes(503), `none refused beyond the bound: ${statuses}`);
  assert.ok(
    health.every((h) => h.status === 200),
    JSON.stringify(health),
  );
  const lastAccepted = Math.max(...answers.filter((a) => a.status === 202).map((a) => a.at));
  const answeredWhileParsing = health.filter((h) => h.at < lastAccepted).length;
  assert.ok(answeredWhileParsing >= 3, `only ${answeredWhileParsing} /healthz answers before the last 202`);
});

test('a DocumentError from a thread gives the same 400 as from an inline parse', async () => {
  const withoutNumber = (xml: string, number: string) => {
    const element = `<cbc:ID>${number}</cbc:ID>`;
    assert.ok(xml.includes(element));
    return xml.replace(element, '');
  };
  const small = await submitDocument(
    relais,
    withoutNumber(sampleInvoice({ number: 'SMALL-X', lines: 3 }), 'SMALL-X'),
  );
  const big = await submitDocument(
    relais,
    withoutNumber(sampleInvoice({ number: 'BIG-X', lines: LINES }), 'BIG-X'),
  );
  assert.equal(small.status, 400, JSON.stringify(small.body));
  assert.equal(big.status, 400, JSON.stringify(big.body));
  const { requestId: _a, ...smallError } = small.body;
  const { requestId: _b, ...bigError } = big.body;
  assert.deepEqual(bigError, smallError);

  const truncated = await submitDocument(
    relais,
    sampleInvoice({ number: 'BIG-T', lines: LINES }).slice(0, -500),
  );
  assert.equal(truncated.status, 400);
  assert.equal(truncated.body.error, 'malformed-xml');
  assert.equal(truncated.body.details[0].path, 'xml');
});
