import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { createApp } from '../../api/app';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { probeWorkflow } from '../../workflows/probe';
import { listen, type JsonBody } from '../helpers/http';
import { startTestRelais, type TestRelais } from '../helpers/relais';

const operatorToken = randomBytes(32).toString('base64url');
/** The dev server's UI, which the default CORS configuration admits (TEMPORAL_UI_PORT 8233). */
const uiOrigin = 'http://127.0.0.1:8233';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais({ RELAIS_OPERATOR_TOKEN: operatorToken });
});
after(() => relais?.close());

async function codec(
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${operatorToken}` },
  baseUrl = relais.url,
): Promise<{ status: number; body: JsonBody; headers: Headers }> {
  const response = await fetch(`${baseUrl}/codec/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const plainPayload = {
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify({ invoice: 'INV-2026-0042', supplier: 'Brasserie Dupont' })),
};

test('encode then decode over HTTP gives the payload back; encoded, it is ciphertext under the current key', async () => {
  const encoded = await codec('encode', { payloads: [plainPayload] });
  assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
  const [ciphertext] = encoded.body.payloads;
  assert.equal(text(ciphertext.metadata.encoding), 'binary/encrypted');
  assert.equal(text(ciphertext.metadata['encryption-key-id']), relais.vault.currentKeyId);
  assert.ok(!text(ciphertext.data).includes('Brasserie'), 'the data is encrypted');

  const decoded = await codec('decode', encoded.body);
  assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
  assert.deepEqual(decoded.body, { payloads: [plainPayload] });
});

test('the endpoint decodes what the workers wrote into the history', async () => {
  const { client, taskQueue } = relais.temporal;
  const probeId = `codec-probe-${Date.now()}`;
  await client.workflow.execute(probeWorkflow, { taskQueue, workflowId: probeId, args: [probeId] });
  const history = await client.workflow.getHandle(probeId).fetchHistory();
  const [stored] = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  const asJson = {
    metadata: Object.fromEntries(
      Object.entries(stored!.metadata!).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(stored!.data!).toString('base64'),
  };
  assert.ok(!text(asJson.data).includes(probeId), 'the stored input is ciphertext');
  const decoded = await codec('decode', { payloads: [asJson] });
  assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
  assert.equal(text(decoded.body.payloads[0].data), JSON.stringify(probeId));
});

test('the README’s CLI command shows a decoded history through the endpoint', async (t) => {
  const cli = process.env.TEMPORAL_CLI_PATH;
  if (!cli) return t.skip('TEMPORAL_CLI_PATH is not set: run the tests with `npm test`');
  const { client, taskQueue } = relais.temporal;
  const probeId = `codec-cli-${Date.now()}`;
  const input = `cli-input-${randomBytes(6).toString('hex')}`;
  await client.workflow.execute(probeWorkflow, { taskQueue, workflowId: probeId, args: [input] });
  // As the README gives it: temporal workflow show -w <id> --codec-endpoint <API>/codec --codec-auth "Bearer <token>"
  const { stdout } = await promisify(execFile)(
    cli,
    [
      'workflow',
      'show',
      '-w',
      probeId,
      '--address',
      process.env.TEMPORAL_ADDRESS!,
      '--codec-endpoint',
      `${relais.url}/codec`,
      '--codec-auth',
      `Bearer ${operatorToken}`,
    ],
    { timeout: 30_000 },
  );
  // Without the codec the input is ciphertext: the CLI could not show it.
  assert.ok(stdout.includes(input), `the decoded input is shown: ${stdout.slice(0, 2000)}`);
  assert.doesNotMatch(stdout, /binary\/encrypted|codec-failed/);
});

test('without the operator token, or with a tenant’s API key, the codec answers 401', async () => {
  const attempts: Array<Record<string, string>> = [
    {},
    { authorization: `Bearer ${operatorToken}x` },
    { authorization: `Bearer ${relais.tenant.apiKey}` },
  ];
  for (const headers of attempts) {
    const answer = await codec('decode', { payloads: [plainPayload] }, headers);
    assert.equal(answer.status, 401, JSON.stringify(headers));
    assert.equal(answer.body.error, 'unauthenticated');
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
  }
});

test('a payload that was altered, or whose key is not configured, gets a 400 that says so', async () => {
  const [encrypted] = (await codec('encode', { payloads: [plainPayload] })).body.payloads;
  const bytes = Buffer.from(encrypted.data, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  const altered = await codec('decode', { payloads: [{ ...encrypted, data: bytes.toString('base64') }] });
  assert.equal(altered.status, 400);
  assert.match(altered.body.message, /does not decrypt/);

  const unknownKey = {
    ...encrypted,
    metadata: { ...encrypted.metadata, 'encryption-key-id': b64('retired') },
  };
  const retired = await codec('decode', { payloads: [unknownKey] });
  assert.equal(retired.status, 400);
  assert.match(retired.body.message, /key retired, which is not configured/);

  const notPayloads = await codec('decode', { payloads: [{ data: 'not base64!' }] });
  assert.equal(notPayloads.status, 400);
});

test('an empty payload list, which proto3 JSON sends as {}, is answered with no payloads', async () => {
  for (const direction of ['encode', 'decode'] as const) {
    const answer = await codec(direction, {});
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { payloads: [] });
  }
});

test('CORS: the Temporal UI’s origin gets its preflight answered, other origins do not', async () => {
  const preflight = (origin: string) =>
    fetch(`${relais.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });
  const allowed = await preflight(uiOrigin);
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get('access-control-allow-origin'), uiOrigin);
  assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(allowed.headers.get('access-control-allow-methods'), 'POST');
  const allowedHeaders = allowed.headers.get('access-control-allow-headers')!.toLowerCase();
  for (const header of ['content-type', 'x-namespace', 'authorization'])
    assert.ok(allowedHeaders.includes(header), header);

  const refused = await preflight('https://attacker.example');
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);

  const fromUi = await codec(
    'decode',
    { payloads: [plainPayload] },
    {
      authorization: `Bearer ${operatorToken}`,
      origin: uiOrigin,
    },
  );
  assert.equal(fromUi.headers.get('access-control-allow-origin'), uiOrigin);
  const fromElsewhere = await codec(
    'decode',
    { payloads: [plainPayload] },
    {
      authorization: `Bearer ${operatorToken}`,
      origin: 'https://attacker.example',
    },
  );
  assert.equal(fromElsewhere.headers.get('access-control-allow-origin'), null);
});

test('the UI’s credentialed requests: sign in once, then the session cookie opens the codec', async () => {
  const signIn = (token: string) =>
    fetch(`${relais.url}/codec/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
  const form = await fetch(`${relais.url}/codec/sign-in`);
  assert.match(await form.text(), /<input type="password" name="token"/);
  const wrong = await signIn('not-the-token');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);

  const signedIn = await signIn(operatorToken);
  assert.equal(signedIn.status, 200);
  const setCookie = signedIn.headers.get('set-cookie')!;
  assert.match(setCookie, /Path=\/codec/);
  assert.match(setCookie, /HttpOnly/);
  const cookie = setCookie.split(';')[0]!;
  assert.ok(!cookie.includes(operatorToken), 'the cookie is not the token itself');

  const decoded = await codec('decode', { payloads: [plainPayload] }, { cookie, origin: uiOrigin });
  assert.equal(decoded.status, 200);
  assert.equal(decoded.headers.get('access-control-allow-credentials'), 'true');
  const forged = await codec(
    'decode',
    { payloads: [plainPayload] },
    { cookie: `${cookie}x`, origin: uiOrigin },
  );
  assert.equal(forged.status, 401);
});

test('without RELAIS_OPERATOR_TOKEN the codec endpoint is off', async () => {
  const server = await listen(
    createApp({
      config: loadConfig({ NODE_ENV: 'test' }),
      pool: relais.db.pool,
      temporal: relais.temporal.client,
      logger: createLogger({ level: 'silent' }),
      vault: relais.vault,
      payloadCodec: relais.payloadCodec,
      connectors: relais.connectors,
    }),
  );
  try {
    const answer = await codec('decode', { payloads: [plainPayload] }, {}, server.url);
    assert.equal(answer.status, 503);
    assert.match(answer.body.message, /RELAIS_OPERATOR_TOKEN/);
  } finally {
    await server.close();
  }
});
