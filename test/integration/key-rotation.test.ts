import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Payload } from '@temporalio/common';
import type { Credentials } from '../../connectors/types';
import { authorizationAad, loadAuthorization, saveAuthorization } from '../../db/authorizations';
import { createConnection } from '../../db/connections';
import { findOAuthState, insertOAuthState, oauthVerifierAad } from '../../db/oauth-states';
import { rotateSecrets } from '../../db/rotate-secrets';
import { readSubmittedSecret, storeSubmittedSecret } from '../../db/submitted-secrets';
import { createTenant } from '../../db/tenants';
import { createWebhookEndpoint, webhookSecretAad } from '../../db/webhooks';
import { projectRoot } from '../../platform/config';
import { parseKeySpec, parseMasterKeys } from '../../platform/master-keys';
import { createPayloadCodec } from '../../platform/payload-codec';
import { keyIdOf, type Vault } from '../../platform/vault';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/wait-for';

const keyA = `a:${randomBytes(32).toString('base64')}`;
const keyB = `b:${randomBytes(32).toString('base64')}`;
const keyC = `c:${randomBytes(32).toString('base64')}`;

let db: TestDatabase;
let tenantId: string;

before(async () => {
  db = await createTestDatabase();
  tenantId = (await createTenant(db.pool, 'Rotation tenant')).id;
});
after(() => db?.drop());

const tokens = (accessToken: string): Credentials => ({
  kind: 'tokens',
  tokens: { accessToken, refreshToken: `refresh-of-${accessToken}` },
});

/** One secret of each kind, written by the repositories the service uses. */
async function writeSecrets(vault: Vault) {
  const authorizationId = await saveAuthorization(db.pool, vault, {
    tenantId,
    connectorId: 'dropbox',
    credentials: tokens(`access-${randomUUID()}`),
  });
  const submittedId = await storeSubmittedSecret(db.pool, vault, tenantId, {
    password: `pw-${randomUUID()}`,
  });
  const connection = await createConnection(db.pool, {
    tenantId,
    connectorId: 'dropbox',
    documentType: 'purchase-invoice',
  });
  const stateId = randomBytes(16).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  await insertOAuthState(db.pool, {
    id: stateId,
    tenantId,
    connectionId: connection.id,
    connectorId: 'dropbox',
    providerUrl: 'https://www.dropbox.com/oauth2/authorize',
    codeVerifierCiphertext: vault.encrypt(verifier, oauthVerifierAad(stateId)),
    redirectUri: 'https://relais.example/v1/oauth/callback',
    returnUrl: 'https://relais.example/done',
    expiresAt: new Date(Date.now() + 60_000),
  });
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const webhook = await createWebhookEndpoint(db.pool, vault, {
    tenantId,
    url: 'https://receiver.example/hooks',
    eventTypes: ['delivery.failed'],
    secret: webhookSecret,
  });
  return { authorizationId, submittedId, stateId, verifier, webhookId: webhook.id };
}

type Written = Awaited<ReturnType<typeof writeSecrets>>;

/** Reads the secrets back through the repositories with `vault`; throws when one does not decrypt. */
async function readSecrets(vault: Vault, written: Written) {
  const authorization = await loadAuthorization(db.pool, vault, tenantId, written.authorizationId);
  const submitted = await readSubmittedSecret(db.pool, vault, tenantId, written.submittedId);
  const state = await findOAuthState(db.pool, written.stateId);
  const verifier = vault
    .decrypt(state!.codeVerifierCiphertext!, oauthVerifierAad(written.stateId))
    .toString();
  const { rows } = await db.pool.query('select secret_ciphertext from webhook_endpoints where id = $1', [
    written.webhookId,
  ]);
  const webhookSecret = vault
    .decrypt(rows[0].secret_ciphertext, webhookSecretAad(tenantId, written.webhookId))
    .toString();
  return { credentials: authorization!.credentials, submitted, verifier, webhookSecret };
}

async function keyIdsInStore(): Promise<string[]> {
  const { rows } = await db.pool.query(
    `select ciphertext as c from authorizations union all select ciphertext from submitted_secrets
     union all select code_verifier_ciphertext from oauth_states where code_verifier_ciphertext is not null
     union all select secret_ciphertext from webhook_endpoints`,
  );
  return [...new Set(rows.map((row) => keyIdOf(row.c)!))].sort();
}

/** `npm run rotate-keys -- --json` against the test database, as an operator runs it. */
async function runRotateKeys(
  masterKey: string,
): Promise<{ code: number | null; report: unknown; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/rotate-keys.ts', '--json'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: db.url, RELAIS_MASTER_KEY: masterKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, report: stdout ? JSON.parse(stdout) : undefined, stderr };
}

test('secrets under key A stay readable with B,A; rotation moves every row to B; then B alone reads them', async () => {
  const underA = await writeSecrets(parseKeySpec(keyA));
  const before = await readSecrets(parseKeySpec(keyA), underA);

  const rotating = parseKeySpec(`${keyB},${keyA}`);
  assert.deepEqual(await readSecrets(rotating, underA), before, 'old data stays readable with B,A');
  const underB = await writeSecrets(rotating);
  assert.deepEqual(await keyIdsInStore(), ['a', 'b'], 'new data is written under the current key B');

  const { code, report, stderr } = await runRotateKeys(`${keyB},${keyA}`);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /no longer need a\. Temporal's history still does/);
  assert.deepEqual(report, {
    currentKeyId: 'b',
    report: [
      { place: 'authorizations.ciphertext', reencrypted: { a: 1 }, alreadyCurrent: 1, failed: [] },
      { place: 'submitted_secrets.ciphertext', reencrypted: { a: 1 }, alreadyCurrent: 1, failed: [] },
      {
        place: 'oauth_states.code_verifier_ciphertext',
        reencrypted: { a: 1 },
        alreadyCurrent: 1,
        failed: [],
      },
      { place: 'webhook_endpoints.secret_ciphertext', reencrypted: { a: 1 }, alreadyCurrent: 1, failed: [] },
    ],
  });
  assert.deepEqual(await keyIdsInStore(), ['b'], 'every row is under B');

  const onlyB = parseKeySpec(keyB);
  assert.deepEqual(await readSecrets(onlyB, underA), before, 'A is no longer needed');
  await readSecrets(onlyB, underB);
  await assert.rejects(
    readSecrets(parseKeySpec(keyA), underA),
    /key b that encrypted this value is not configured/,
  );

  // Run again: nothing left to do.
  const again = await rotateSecrets(db.pool, onlyB);
  assert.ok(
    again.every((place) => Object.keys(place.reencrypted).length === 0 && place.alreadyCurrent === 2),
  );
});

test('a row whose key is not configured is reported and left as it was; the command exits non-zero', async () => {
  const underC = await writeSecrets(parseKeySpec(keyC));
  const { rows: before } = await db.pool.query('select ciphertext from authorizations where id = $1', [
    underC.authorizationId,
  ]);
  const { code, report, stderr } = await runRotateKeys(`${keyB},${keyA}`);
  assert.equal(code, 1);
  assert.match(stderr, /4 secret\(s\) could not be decrypted/);
  const places = (
    report as { report: Array<{ place: string; failed: Array<{ id: string; keyId: string }> }> }
  ).report;
  const authorizations = places.find((place) => place.place === 'authorizations.ciphertext')!;
  assert.deepEqual(
    authorizations.failed.map(({ id, keyId }) => ({ id, keyId })),
    [{ id: underC.authorizationId, keyId: 'c' }],
  );
  const { rows: after } = await db.pool.query('select ciphertext from authorizations where id = $1', [
    underC.authorizationId,
  ]);
  assert.equal(after[0].ciphertext, before[0].ciphertext);
  await readSecrets(parseKeySpec(keyC), underC);
  await db.pool.query('delete from oauth_states where id = $1', [underC.stateId]);
  await db.pool.query('delete from submitted_secrets where id = $1', [underC.submittedId]);
  await db.pool.query('delete from authorizations where id = $1', [underC.authorizationId]);
  await db.pool.query('delete from webhook_endpoints where id = $1', [underC.webhookId]);
});

test('rotation while the service writes: a row being updated is waited for, and the newer value wins', async () => {
  const underA = await writeSecrets(parseKeySpec(keyA));
  const rotating = parseKeySpec(`${keyB},${keyA}`);
  const writer = await db.pool.connect();
  try {
    // A token refresh in another instance, still on key A, holds the row while it writes new tokens.
    await writer.query('begin');
    await writer.query('select id from authorizations where id = $1 for update', [underA.authorizationId]);
    await saveAuthorization(writer, parseKeySpec(keyA), {
      tenantId,
      connectorId: 'dropbox',
      credentials: tokens('refreshed-while-rotating'),
      replaceId: underA.authorizationId,
    });
    const rotation = rotateSecrets(db.pool, rotating);
    await waitFor('the rotation to wait for the locked row', async () => {
      const { rows } = await db.pool.query(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });
    await writer.query('commit');
    const report = await rotation;
    assert.deepEqual(report.find((place) => place.place === 'authorizations.ciphertext')!.reencrypted, {
      a: 1,
    });
  } finally {
    writer.release();
  }
  const { credentials } = await readSecrets(parseKeySpec(keyB), underA);
  assert.deepEqual(credentials, tokens('refreshed-while-rotating'), 'the refreshed tokens survive, under B');
  const { rows } = await db.pool.query('select ciphertext from authorizations where id = $1', [
    underA.authorizationId,
  ]);
  assert.equal(keyIdOf(rows[0].ciphertext), 'b');
  assert.doesNotThrow(() =>
    parseKeySpec(keyB).decrypt(rows[0].ciphertext, authorizationAad(tenantId, underA.authorizationId)),
  );
});

test('the payload codec: A payloads decode with B,A; new ones are under B; without A they say which key is missing', async () => {
  const payload: Payload = {
    metadata: { encoding: Buffer.from('json/plain') },
    data: Buffer.from('"V01/42"'),
  };
  const [underA] = await createPayloadCodec(parseMasterKeys(keyA)).encode([payload]);
  const rotating = createPayloadCodec(parseMasterKeys(`${keyB},${keyA}`));
  const [decoded] = await rotating.decode([underA!]);
  assert.equal(Buffer.from(decoded!.data!).toString(), '"V01/42"');
  const [underB] = await rotating.encode([payload]);
  assert.equal(Buffer.from(underB!.metadata!['encryption-key-id']!).toString(), 'b');
  await assert.rejects(
    createPayloadCodec(parseMasterKeys(keyB)).decode([underA!]),
    /encrypted with the key a, which is not configured/,
  );
});
