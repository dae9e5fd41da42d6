/*
 * Hostile input, second part (issue 18): values that pass a loose check and then fail in PostgreSQL
 * (ids shaped like UUIDs, dates PostgreSQL cannot hold, forged cursors), a PDF that is not one, a
 * client that never finishes its request, and the sandbox SFTP server's exception in the SSRF guard.
 * Each refusal is checked for its exact status, the field it names, nothing stored and a healthy
 * service; each has a positive control beside it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sftp from '../../connectors/sftp';
import { loadConfig } from '../../platform/config';
import { freePort } from '../../platform/free-port';
import { httpServerOptions } from '../../platform/http-server';
import { sandboxNetworkAllow, startSandboxSftp } from '../../platform/sandbox-sftp';
import type { DropboxFake } from '../fakes/dropbox';
import { syntheticDocument } from '../../documents/sample-invoice';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { hostileClient } from '../helpers/refusals';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/** Short, so that a request that never ends is cut quickly here. */
const REQUEST_TIMEOUT_SECONDS = 2;

let dropbox: DropboxFake;
let relais: TestRelais;
let connectionId: string;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais({
    ...dropboxEnv(dropbox),
    HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
  });
  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  const listed = await relais.api('GET', '/v1/connections?status=active');
  connectionId = listed.body.connections[0].id;
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

const { send, refused, post } = hostileClient(() => relais);

/** Asserts that the 400's details name `field`, and returns its message. */
function namesField(body: { details: { path: string; message: string }[] }, field: string): string {
  const detail = body.details.find((d) => d.path === field);
  assert.ok(detail, `details name ${field}: ${JSON.stringify(body.details)}`);
  return detail.message;
}

async function submitDocument(number: string): Promise<string> {
  const xml = syntheticDocument({ number, lines: [{ net: '10.00', category: 'S', percent: '21' }] });
  const answer = await post('/v1/documents?documentType=purchase-invoice', xml, 'application/xml');
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.deliveries[0].id;
}

test('ids shaped like UUIDs but not UUIDs answer 404 on every id route, like unknown ids, never 500', async () => {
  const deliveryId = await submitDocument('ID-SHAPES-1');
  const lookalikes = [
    '0'.repeat(36),
    '-'.repeat(36),
    `${'0'.repeat(32)}----`,
    `${'f'.repeat(32)}-${'-'.repeat(3)}`,
    '00000000-0000-0000-0000-00000000000g',
    'not-an-id',
  ];
  for (const id of lookalikes) {
    const routes: [string, string, string, RegExp][] = [
      ['GET', `/v1/connections/${id}`, '', /No such connection/],
      ['POST', `/v1/connections/${id}/steps/format`, '{"format":"ubl-be-3"}', /No such connection/],
      ['POST', `/v1/connections/${id}/cancel`, '{}', /No such connection/],
      ['POST', `/v1/connections/${id}/reauthorize`, '{}', /No such connection/],
      ['POST', `/v1/connections/${id}/disconnect`, '{}', /No such connection/],
      ['POST', `/v1/connections/${id}/resend?since=2026-01-01T00:00:00Z`, '{}', /No such connection/],
      ['GET', `/v1/deliveries/${id}`, '', /No such delivery/],
      ['POST', `/v1/deliveries/${id}/retry`, '{}', /No such delivery/],
    ];
    for (const [method, route, body, message] of routes) {
      await refused(
        `${method} ${route}`,
        () =>
          method === 'GET'
            ? send('GET', route)
            : send(method, route, body, { contentType: 'application/json' }),
        { status: 404, error: 'not-found', message },
      );
    }
  }
  // Positive controls: real ids, in either case, are found.
  assert.equal((await relais.api('GET', `/v1/connections/${connectionId}`)).status, 200);
  assert.equal((await relais.api('GET', `/v1/connections/${connectionId.toUpperCase()}`)).status, 200);
  assert.equal((await relais.api('GET', `/v1/deliveries/${deliveryId}`)).status, 200);
});

test('dates PostgreSQL cannot hold are a 400 naming since or until; other offsets are read in UTC', async () => {
  const cases: [string, string, RegExp][] = [
    ['since', '0000-01-01T00:00:00Z', /between the years 1970 and 9999/],
    ['until', '0000-01-01T00:00:00Z', /between the years 1970 and 9999/],
    ['since', '1969-12-31T23:59:59Z', /between the years 1970 and 9999/],
    ['until', '9999-12-31T23:30:00-01:00', /between the years 1970 and 9999/],
    ['since', 'yesterday', /ISO 8601/],
  ];
  for (const [field, value, why] of cases) {
    const answer = await refused(
      `${field}=${value} on the delivery list`,
      () => send('GET', `/v1/deliveries?${field}=${encodeURIComponent(value)}`),
      { status: 400, error: 'invalid-request', message: new RegExp(field) },
    );
    assert.match(namesField(answer.body, field), why, `${field}=${value}`);
    assert.match(
      namesField(answer.body, field),
      new RegExp(field),
      `${field}=${value}: the message names it`,
    );
  }
  const resend = await refused(
    'since=0000-01-01 on resend',
    () => post(`/v1/connections/${connectionId}/resend?since=0000-01-01T00:00:00Z`, '{}'),
    { status: 400, error: 'invalid-request', message: /since/ },
  );
  assert.match(namesField(resend.body, 'since'), /since must fall between the years 1970 and 9999/);

  // An offset PostgreSQL refuses (beyond ±15:59) is still an instant: it is read, in UTC.
  const deliveryId = await submitDocument('DATES-1');
  const farEast = await send(
    'GET',
    `/v1/deliveries?since=${encodeURIComponent('2000-01-01T00:00:00+23:59')}`,
  );
  assert.equal(farEast.status, 200, JSON.stringify(farEast.body));
  assert.ok(farEast.body.deliveries.some((d: { id: string }) => d.id === deliveryId));
  const before = await send('GET', `/v1/deliveries?until=${encodeURIComponent('2000-01-01T00:00:00-23:59')}`);
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.equal(before.body.deliveries.length, 0);
});

test('a forged delivery-list cursor is a 400 naming cursor; a real one pages on', async () => {
  await submitDocument('CURSOR-1');
  await submitDocument('CURSOR-2');
  const first = await send('GET', '/v1/deliveries?limit=1');
  assert.equal(first.status, 200);
  assert.ok(first.body.nextCursor, 'more than one page');
  const second = await send('GET', `/v1/deliveries?limit=1&cursor=${first.body.nextCursor}`);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.notEqual(second.body.deliveries[0].id, first.body.deliveries[0].id);

  const realId = first.body.deliveries[0].id as string;
  const forge = (text: string) => Buffer.from(text).toString('base64url');
  const forged: [string, string][] = [
    ['an id that is not a UUID', forge(`2026-01-01T00:00:00.000000Z|${'0'.repeat(36)}`)],
    ['dashes for an id', forge(`2026-01-01T00:00:00.000000Z|${'-'.repeat(36)}`)],
    ['year 0000', forge(`0000-01-01T00:00:00.000000Z|${realId}`)],
    ['February 31st', forge(`2026-02-31T00:00:00.000000Z|${realId}`)],
    ['an offset beyond ±15:59', forge(`2026-01-01T00:00:00+23:59|${realId}`)],
    ['a date alone', forge('2026-01-01T00:00:00.000000Z')],
    ['a third part', forge(`2026-01-01T00:00:00.000000Z|${realId}|x`)],
    ['a long one', 'A'.repeat(5000)],
  ];
  for (const [what, cursor] of forged) {
    const answer = await refused(
      `a cursor with ${what}`,
      () => send('GET', `/v1/deliveries?cursor=${cursor}`),
      {
        status: 400,
        error: 'invalid-request',
      },
    );
    assert.match(namesField(answer.body, 'cursor'), /Not a cursor from this API/, what);
  }
});

test('the pdf of a JSON document must be a PDF: other base64 is a 400 naming pdf', async () => {
  const xml = (number: string) =>
    syntheticDocument({ number, lines: [{ net: '10.00', category: 'S', percent: '21' }] });
  const notPdfs: [string, string][] = [
    ['NaN', 'NaN'],
    ['900 KB of A', 'A'.repeat(900_000)],
    ['a ZIP file', Buffer.from('PK\u0003\u0004 not a pdf').toString('base64')],
    ['an empty string', ''],
  ];
  for (const [what, pdf] of notPdfs) {
    const answer = await refused(
      `pdf: ${what}`,
      () =>
        post('/v1/documents', JSON.stringify({ documentType: 'purchase-invoice', xml: xml('PDF-BAD'), pdf })),
      { status: 400, error: 'invalid-request', message: /pdf/ },
    );
    assert.match(namesField(answer.body, 'pdf'), /must start with %PDF-/, what);
  }
  const pdf = Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj <<>> endobj\n%%EOF\n', 'latin1').toString(
    'base64',
  );
  const accepted = await post(
    '/v1/documents',
    JSON.stringify({ documentType: 'purchase-invoice', xml: xml('PDF-GOOD'), pdf }),
  );
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
});

test('a body that never ends or headers that trickle are cut with 408 after HTTP_REQUEST_TIMEOUT_SECONDS (60 by default)', async () => {
  assert.equal(loadConfig({}).HTTP_REQUEST_TIMEOUT_SECONDS, 60);
  assert.deepEqual(
    [httpServerOptions(loadConfig({})).requestTimeout, httpServerOptions(loadConfig({})).headersTimeout],
    [60_000, 60_000],
  );
  const { hostname, port } = new URL(relais.url);
  const head =
    'POST /v1/connections HTTP/1.1\r\n' +
    `Host: ${hostname}:${port}\r\n` +
    `Authorization: Bearer ${relais.tenant.apiKey}\r\n` +
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
  const slowClients: [string, string, () => string][] = [
    // A chunk every 200 ms: a body that never ends.
    ['a body that never ends', `${head}1\r\n{\r\n`, () => '1\r\n \r\n'],
    // Headers a byte at a time that never reach their blank line.
    ['headers sent a byte at a time', 'POST /v1/connections HTTP/1.1\r\nX-Slow: ', () => 'x'],
  ];
  for (const [what, opening, next] of slowClients) {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.write(opening);
    const trickle = setInterval(() => socket.writable && socket.write(next()), 200);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('close', () => resolve());
        socket.once('error', () => resolve());
        setTimeout(() => reject(new Error(`${what}: the socket is still open after 15 s`)), 15_000).unref();
      });
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    const elapsed = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /, `${what}: ${JSON.stringify(answer.slice(0, 200))}`);
    assert.ok(
      elapsed >= REQUEST_TIMEOUT_SECONDS * 1000 - 100,
      `${what}: closed after ${elapsed} ms, not before`,
    );
    assert.ok(elapsed < REQUEST_TIMEOUT_SECONDS * 1000 + 3000, `${what}: closed after ${elapsed} ms`);
  }
  assert.equal((await fetch(`${relais.url}/healthz`)).status, 200, 'the service keeps serving');
});

test('the sandbox SFTP exception admits exactly 127.0.0.1 on the sandbox port, no other name or port of loopback', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'relais-sandbox-guard-'));
  const sandbox = await startSandboxSftp({ dataDir, port: await freePort() });
  try {
    // The allow-list npm start builds when it runs the sandbox.
    const connector = sftp.create(
      sftp.configSchema.parse({
        SFTP_CONNECT_TIMEOUT_MS: '5000',
        RELAIS_NETWORK_ALLOW: sandboxNetworkAllow(sandbox),
      }),
    );
    const check = (host: string, port = sandbox.port) =>
      connector.checkCredentials!({
        values: {
          host,
          port,
          username: sandbox.username,
          password: sandbox.password,
          uploadPath: 'Invoice_import/',
        },
        settings: {},
      });
    // Positive control: the former allow-list (the sandbox's address alone) let the other names through.
    const loopbackWide = sftp.create(
      sftp.configSchema.parse({ SFTP_CONNECT_TIMEOUT_MS: '5000', RELAIS_NETWORK_ALLOW: sandbox.host }),
    );
    await loopbackWide.checkCredentials!({
      values: {
        host: '127.1',
        port: sandbox.port,
        username: sandbox.username,
        password: sandbox.password,
        uploadPath: 'Invoice_import/',
      },
      settings: {},
    });

    const setup = await check('127.0.0.1');
    assert.match(String(setup.settings.hostKeyFingerprint), /^SHA256:/, 'the sandbox itself is reachable');

    const otherNames = [
      '127.1',
      '2130706433',
      '0x7f000001',
      'localhost',
      '::ffff:127.0.0.1',
      '127.0.0.2',
      '::1',
    ];
    for (const host of otherNames) {
      await assert.rejects(check(host), (error: Error) => {
        assert.match(error.message, /loopback|resolve|not found|host name/i, `${host}: ${error.message}`);
        return true;
      });
    }
    for (const port of [22, 5432, sandbox.port + 1]) {
      await assert.rejects(check('127.0.0.1', port), /loopback address/, `127.0.0.1:${port}`);
    }
  } finally {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
