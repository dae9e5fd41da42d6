/*
 * The bounds on large documents (256 KB or more) in the API: RELAIS_LARGE_DOCUMENTS_MB refuses one that
 * would go beyond it with 503 + Retry-After before its body is read, a document alone is admitted
 * whatever its size, the room is given back when the answer is sent or the client goes away, and a
 * document that needs more heap than RELAIS_PARSE_THREAD_MB is refused with 400 without harming the
 * next one. The gate is watched through /metrics (relais_large_documents_in_flight).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { sampleInvoice } from '../../documents/sample-invoice';
import { submitDocument } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { waitFor } from '../helpers/wait-for';

const operatorToken = 'large-documents-operator-token-0123456789';
/** About 2.9 MB each: two of them are more than the 4 MB allowed below. */
const LINES = 6_000;

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais({
    RELAIS_PARSE_THREADS: '1',
    RELAIS_MAX_LARGE_PARSES: '100',
    RELAIS_LARGE_DOCUMENTS_MB: '4',
    RELAIS_PARSE_THREAD_MB: '32',
    RELAIS_OPERATOR_TOKEN: operatorToken,
  });
});
after(async () => {
  await relais?.close();
});

async function inFlight(): Promise<{ documents: number; bytes: number }> {
  const text = await (
    await fetch(`${relais.url}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } })
  ).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return {
    documents: value('relais_large_documents_in_flight'),
    bytes: value('relais_large_document_bytes_in_flight'),
  };
}

const empty = () => waitFor('no large document in flight', async () => (await inFlight()).documents === 0);

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A raw XML POST whose body is sent only as far as `sent` bytes until `finish()` (or never): its
 * Content-Length announces all of `xml`.
 */
function partialPost(xml: string, sent: number) {
  const body = Buffer.from(xml);
  const request = http.request(`${relais.url}/v1/documents?documentType=purchase-invoice`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${relais.tenant.apiKey}`,
      'content-type': 'application/xml',
      'content-length': String(body.length),
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          retryAfter: response.headers['retry-after'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        }),
      );
    });
    request.on('error', reject);
  });
  if (sent > 0) request.write(body.subarray(0, sent));
  else request.flushHeaders();
  return {
    answer,
    length: body.length,
    finish: () => request.end(body.subarray(sent)),
    abort: () => request.destroy(),
  };
}

test('beyond RELAIS_LARGE_DOCUMENTS_MB a document gets 503 + Retry-After before its body is sent', async () => {
  await empty();
  const first = partialPost(sampleInvoice({ number: 'GATE-1', lines: LINES }), 64 * 1024);
  // Admitted as soon as its headers are read, and held while its body is still coming.
  await waitFor('the first document admitted', async () => (await inFlight()).documents === 1);
  assert.deepEqual(await inFlight(), { documents: 1, bytes: first.length });

  // Headers only: the answer comes although not a byte of this body was sent.
  const second = partialPost(sampleInvoice({ number: 'GATE-2', lines: LINES }), 0);
  const refused = await second.answer;
  second.abort();
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error, 'busy');
  assert.match(refused.retryAfter ?? '', /^\d+$/);

  // The same document inside JSON (read by express.json, then admitted) is refused the same way.
  const json = await relais.api('POST', '/v1/documents', {
    documentType: 'purchase-invoice',
    xml: sampleInvoice({ number: 'GATE-3', lines: LINES }),
  });
  assert.equal(json.status, 503, JSON.stringify(json.body));
  assert.match(json.headers.get('retry-after') ?? '', /^\d+$/);

  first.finish();
  const accepted = await first.answer;
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  assert.equal(accepted.body.number, 'GATE-1');
  await empty();
});

test('a document alone is admitted even when it is larger than RELAIS_LARGE_DOCUMENTS_MB', async () => {
  await empty();
  const xml = sampleInvoice({ number: 'GATE-BIG', lines: 10_000 });
  assert.ok(Buffer.byteLength(xml) > 4 * 1024 * 1024);
  const answer = await submitDocument(relais, xml);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
});

test('a client that goes away mid-body gives its room back', async () => {
  await empty();
  const gone = partialPost(sampleInvoice({ number: 'GATE-GONE', lines: LINES }), 64 * 1024);
  gone.answer.catch(() => undefined);
  await waitFor('the document admitted', async () => (await inFlight()).documents === 1);
  gone.abort();
  await empty();
  const next = await submitDocument(relais, sampleInvoice({ number: 'GATE-NEXT', lines: LINES }));
  assert.equal(next.status, 202, JSON.stringify(next.body));
});

test('a document that needs more heap than RELAIS_PARSE_THREAD_MB is refused with 400; the next is read', async () => {
  // 40,000 notes outside the lines: a DOM of some 100 MB, where the lines of a 2.9 MB invoice take none.
  const notes = sampleInvoice({ number: 'HEAVY-1', lines: 1 }).replace(
    '<cbc:DocumentCurrencyCode>',
    `${'<cbc:Note>A note</cbc:Note>\n'.repeat(40_000)}<cbc:DocumentCurrencyCode>`,
  );
  const heavy = await submitDocument(relais, notes);
  assert.equal(heavy.status, 400, JSON.stringify(heavy.body));
  assert.equal(heavy.body.error, 'malformed-xml');
  assert.match(String(heavy.body.message), /takes more memory than one document may use/);
  const next = await submitDocument(relais, sampleInvoice({ number: 'HEAVY-2', lines: LINES }));
  assert.equal(next.status, 202, JSON.stringify(next.body));
});
