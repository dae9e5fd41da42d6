import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import express from 'express';
import dropbox from '../../connectors/dropbox';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { ConnectorImplementation, DeliveryInput, TokenSet } from '../../connectors/types';
import { startDropboxFake, type DropboxFake } from '../fakes/dropbox';
import { listen } from '../helpers/http';

const APP = { clientId: 'relais-test-app', clientSecret: 'app-secret-for-tests' };
const REDIRECT_URI = 'https://relais.example.test/v1/oauth/callback';
const HOUR_MS = 3_600_000;

let fake: DropboxFake;
let connector: ConnectorImplementation;

function envFor(url: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DROPBOX_API_URL: url,
    DROPBOX_CONTENT_URL: url,
    DROPBOX_AUTHORIZE_URL: `${url}/oauth2/authorize`,
    DROPBOX_CLIENT_ID: APP.clientId,
    DROPBOX_CLIENT_SECRET: APP.clientSecret,
    ...overrides,
  };
}

function connectorFor(env: Record<string, string>): ConnectorImplementation {
  return dropbox.create(dropbox.configSchema.parse(env));
}

before(async () => {
  fake = await startDropboxFake({ ...APP, redirectUris: [REDIRECT_URI] });
  connector = connectorFor(envFor(fake.url));
});
after(() => fake.close());

function oauthOf(implementation: ConnectorImplementation) {
  assert.ok(implementation.oauth, 'the Dropbox connector signs in with OAuth');
  return implementation.oauth;
}

/** What the activity layer does: a PKCE pair and a state, then the user's decision on the consent page. */
async function authorize(decision: 'allow' | 'deny', implementation = connector) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('hex');
  const url = oauthOf(implementation).authorizationUrl({
    state,
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    settings: {},
  });
  const redirect = new URL(await fake.consent(url, decision));
  return { url: new URL(url), redirect, state, verifier, code: redirect.searchParams.get('code') ?? '' };
}

async function signIn(): Promise<TokenSet> {
  const { code, verifier } = await authorize('allow');
  return oauthOf(connector).exchangeCode({
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: verifier,
    settings: {},
  });
}

async function rejectsWith(promise: Promise<unknown>, kind: ConnectorErrorKind, message?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConnectorError, `expected a ConnectorError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

let fileNumber = 0;
function invoice(tokens: TokenSet, overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  fileNumber += 1;
  return {
    deliveryId: `delivery-${fileNumber}`,
    documentType: 'purchase-invoice',
    fileName: `2026-01-31_F2026_${String(fileNumber).padStart(4, '0')}_3f9a1c2b.xml`,
    content: Buffer.from(`<Invoice><ID>F2026/${fileNumber}</ID></Invoice>`),
    contentType: 'application/xml',
    pdf: () => Promise.reject(new Error('this target takes no PDF')),
    document: {
      number: `F2026/${fileNumber}`,
      issueDate: '2026-01-31',
      kind: 'invoice',
      supplierName: 'Fournisseur SA',
      supplierVat: 'BE0827405743',
      customerName: 'ACME BV',
      customerVat: 'BE0403019261',
    },
    settings: { format: 'ubl-be-3' },
    credentials: { kind: 'tokens', tokens },
    ...overrides,
  };
}

function deliver(input: DeliveryInput) {
  assert.ok(connector.deliver);
  return connector.deliver(input);
}

test('signs in through the consent page with PKCE and reads the account', async () => {
  const { url, redirect, state, code, verifier } = await authorize('allow');
  assert.equal(`${url.origin}${url.pathname}`, `${fake.url}/oauth2/authorize`);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('client_id'), APP.clientId);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('token_access_type'), 'offline');
  assert.equal(url.searchParams.get('scope'), 'account_info.read files.content.write files.metadata.read');
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<button name="decision" value="allow">Allow<\/button>/);
  assert.equal(`${redirect.origin}${redirect.pathname}`, REDIRECT_URI);
  assert.equal(redirect.searchParams.get('state'), state);

  const before = Date.now();
  const tokens = await oauthOf(connector).exchangeCode({
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: verifier,
    settings: {},
  });
  assert.ok(tokens.accessToken);
  assert.ok(tokens.refreshToken, 'offline access yields a refresh token');
  const expiresAt = Date.parse(tokens.expiresAt ?? '');
  assert.ok(
    expiresAt >= before + 4 * HOUR_MS - 1000 && expiresAt <= Date.now() + 4 * HOUR_MS,
    tokens.expiresAt,
  );
  assert.deepEqual(tokens.scopes, ['account_info.read', 'files.content.write', 'files.metadata.read']);

  const account = await oauthOf(connector).account({ accessToken: tokens.accessToken, settings: {} });
  assert.deepEqual(account, { id: fake.account.account_id, name: 'Relais Test (owner@example.test)' });
});

test('a wrong PKCE verifier is refused', async () => {
  const { code } = await authorize('allow');
  const wrongVerifier = randomBytes(48).toString('base64url');
  await rejectsWith(
    oauthOf(connector).exchangeCode({
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: wrongVerifier,
      settings: {},
    }),
    'invalid-credentials',
    /Dropbox refused the sign-in \(invalid_grant/,
  );
});

test('an authorization code works once', async () => {
  const { code, verifier } = await authorize('allow');
  const exchange = () =>
    oauthOf(connector).exchangeCode({
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      settings: {},
    });
  await exchange();
  await rejectsWith(exchange(), 'invalid-credentials', /Sign in again/);
});

test('an authorization code expires after ten minutes', async () => {
  const { code, verifier } = await authorize('allow');
  fake.advanceTime(10 * 60 * 1000 + 1000);
  await rejectsWith(
    oauthOf(connector).exchangeCode({
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      settings: {},
    }),
    'invalid-credentials',
  );
});

test('a denied consent comes back as access_denied', async () => {
  const { redirect, state } = await authorize('deny');
  assert.equal(redirect.searchParams.get('error'), 'access_denied');
  assert.ok(redirect.searchParams.get('error_description'));
  assert.equal(redirect.searchParams.get('state'), state);
  assert.equal(redirect.searchParams.get('code'), null);
});

test('refreshing gives a new access token and keeps the refresh token', async () => {
  const tokens = await signIn();
  assert.ok(tokens.refreshToken);
  const refreshed = await oauthOf(connector).refresh({ refreshToken: tokens.refreshToken, settings: {} });
  assert.notEqual(refreshed.accessToken, tokens.accessToken);
  assert.equal(refreshed.refreshToken, tokens.refreshToken);
  assert.ok(Date.parse(refreshed.expiresAt ?? '') > Date.now() + 3 * HOUR_MS);
  const account = await oauthOf(connector).account({ accessToken: refreshed.accessToken, settings: {} });
  assert.equal(account.id, fake.account.account_id);
});

test('a revoked refresh token means signing in again', async () => {
  const tokens = await signIn();
  assert.ok(tokens.refreshToken);
  fake.revokeRefreshToken();
  await rejectsWith(
    oauthOf(connector).refresh({ refreshToken: tokens.refreshToken, settings: {} }),
    'auth-expired',
    /Sign in to Dropbox again/,
  );
  await rejectsWith(deliver(invoice(tokens)), 'auth-expired');
});

test('setup fails clearly when this Relais has no Dropbox app configured', () => {
  const unconfigured = connectorFor(envFor(fake.url, { DROPBOX_CLIENT_ID: '', DROPBOX_CLIENT_SECRET: '' }));
  assert.throws(
    () => oauthOf(unconfigured).authorizationUrl({ state: 's', redirectUri: REDIRECT_URI, settings: {} }),
    (error: unknown) =>
      error instanceof ConnectorError &&
      error.kind === 'misconfigured' &&
      /Dropbox is not configured on this Relais: set DROPBOX_CLIENT_ID/.test(error.message),
  );
});

test('a wrong app secret is a configuration problem, not the user’s', async () => {
  const wrongSecret = connectorFor(envFor(fake.url, { DROPBOX_CLIENT_SECRET: 'not-the-secret' }));
  const { code, verifier } = await authorize('allow', wrongSecret);
  await rejectsWith(
    oauthOf(wrongSecret).exchangeCode({
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      settings: {},
    }),
    'misconfigured',
    /DROPBOX_CLIENT_SECRET/,
  );
});

test('delivers a purchase invoice into the customer’s AP folder', async () => {
  const input = invoice(await signIn());
  const receipt = await deliver(input);
  const path = `/Invoice_import/ACME BV_BE0403019261/AP/${input.fileName}`;
  const stored = fake.files.get(path);
  assert.ok(stored, `expected a file at ${path}, found ${[...fake.files.keys()].join(', ')}`);
  assert.deepEqual(stored.bytes, input.content);
  assert.equal(receipt.alreadyPresent, false);
  assert.equal(receipt.remotePath, path);
  assert.equal(receipt.remoteId, stored.id);
  assert.equal(receipt.details?.contentHash, stored.content_hash);
});

test('delivers a sales invoice into the supplier’s AR folder', async () => {
  const input = invoice(await signIn(), { documentType: 'sales-invoice' });
  const receipt = await deliver(input);
  assert.equal(receipt.remotePath, `/Invoice_import/Fournisseur SA_BE0827405743/AR/${input.fileName}`);
  assert.ok(fake.files.has(receipt.remotePath ?? ''));
});

test('delivering the same document again finds it already there', async () => {
  const input = invoice(await signIn());
  const first = await deliver(input);
  const filesBefore = fake.files.size;
  const again = await deliver(input);
  assert.equal(again.alreadyPresent, true);
  assert.equal(again.remoteId, first.remoteId);
  assert.equal(fake.files.size, filesBefore);
  const statuses = fake.log.slice(-2).map((entry) => `${entry.path} ${entry.status}`);
  assert.deepEqual(statuses, ['/2/files/upload 409', '/2/files/get_metadata 200']);
});

test('a document above 4 MiB (several content-hash blocks) is recognised when delivered again', async () => {
  const input = invoice(await signIn(), { content: randomBytes(5 * 1024 * 1024 + 17) });
  assert.equal((await deliver(input)).alreadyPresent, false);
  assert.equal((await deliver(input)).alreadyPresent, true);
});

test('another file with the same name is never overwritten', async () => {
  const tokens = await signIn();
  const input = invoice(tokens);
  const first = await deliver(input);
  await rejectsWith(
    deliver({ ...input, content: Buffer.from('<Invoice>something else</Invoice>') }),
    'rejected',
    /Another file with different content already exists in Dropbox at \/Invoice_import\/ACME BV_BE0403019261\/AP\//,
  );
  assert.deepEqual(fake.files.get(first.remotePath ?? '')?.bytes, input.content);
});

test('metadata without content_hash: a file of another size is a conflict, one of our size is asked about again', async () => {
  const tokens = await signIn();
  const input = invoice(tokens);
  await deliver(input);
  fake.omitContentHash(1);
  await rejectsWith(
    deliver({ ...input, content: Buffer.from('<Invoice>longer, so not ours</Invoice>') }),
    'rejected',
  );
  fake.omitContentHash(1);
  await rejectsWith(deliver(input), 'unavailable', /no content hash/);
  assert.equal(
    (await deliver(input)).alreadyPresent,
    true,
    'once Dropbox gives the hash, the retry finds ours',
  );
});

test('a 429 is rate-limited with the delay from Retry-After, and the retry delivers', async () => {
  const input = invoice(await signIn());
  fake.failNext({
    path: '/2/files/upload',
    status: 429,
    headers: { 'Retry-After': '7' },
    body: {
      error_summary: 'too_many_write_operations/..',
      error: { reason: { '.tag': 'too_many_write_operations' }, retry_after: 7 },
    },
  });
  await assert.rejects(deliver(input), (error: unknown) => {
    assert.ok(error instanceof ConnectorError);
    assert.equal(error.kind, 'rate-limited');
    assert.equal(error.retryAfterMs, 7000);
    return true;
  });
  assert.equal((await deliver(input)).alreadyPresent, false);
});

test('an expired access token is auth-expired until refreshed', async () => {
  const tokens = await signIn();
  fake.expireAccessTokens();
  await rejectsWith(deliver(invoice(tokens)), 'auth-expired', /expired_access_token/);
  assert.ok(tokens.refreshToken);
  const refreshed = await oauthOf(connector).refresh({ refreshToken: tokens.refreshToken, settings: {} });
  assert.equal((await deliver(invoice(refreshed))).alreadyPresent, false);
});

test('a server error is unavailable', async () => {
  const tokens = await signIn();
  fake.failNext({ path: '/2/files/upload', status: 500, body: 'Internal Server Error' });
  await rejectsWith(deliver(invoice(tokens)), 'unavailable', /HTTP 500/);
});

test('an unreachable Dropbox is unavailable', async () => {
  const closed = await listen(express());
  await closed.close();
  const offline = connectorFor(envFor(closed.url));
  assert.ok(offline.deliver);
  await rejectsWith(offline.deliver(invoice(await signIn())), 'unavailable', /could not be reached/);
});

test('a full Dropbox asks the user to make room', async () => {
  const tokens = await signIn();
  fake.setSpaceLeft(10);
  try {
    await rejectsWith(deliver(invoice(tokens)), 'misconfigured', /Dropbox account is full/);
  } finally {
    fake.setSpaceLeft(Number.POSITIVE_INFINITY);
  }
});

test('a company name with accents reaches Dropbox intact (escaped in Dropbox-API-Arg)', async () => {
  const base = invoice(await signIn());
  const input = { ...base, document: { ...base.document, customerName: 'Société Générale Belgique' } };
  const receipt = await deliver(input);
  const path = `/Invoice_import/Société Générale Belgique_BE0403019261/AP/${input.fileName}`;
  assert.equal(receipt.remotePath, path);
  assert.deepEqual(fake.files.get(path)?.bytes, input.content);
  const upload = [...fake.log].reverse().find((entry) => entry.path === '/2/files/upload');
  assert.match(upload?.headers['dropbox-api-arg'] ?? '', /Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale/);
});

test('the fake, like Dropbox, refuses a Dropbox-API-Arg that is not escaped to ASCII', async () => {
  const tokens = await signIn();
  const response = await fetch(`${fake.url}/2/files/upload`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${tokens.accessToken}`,
      'Content-Type': 'application/octet-stream',
      'Dropbox-API-Arg': JSON.stringify({ path: '/Invoice_import/Société/x.xml', mode: 'add' }),
    },
    body: 'x',
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /could not decode input as JSON/);
});

test('parallel uploads into one account meet too_many_write_operations (429 and 409): rate-limited, never rejected, and all land once', async () => {
  const tokens = await signIn();
  fake.limitParallelWrites({ maxInFlight: 2, holdMs: 50, variant: 'both' });
  try {
    const contentionBefore = fake.writeContentionCount();
    const inputs = Array.from({ length: 8 }, () => invoice(tokens));
    const seen: ConnectorError[] = [];
    // What the Temporal retry does: on rate-limited, wait (here briefly, not the full Retry-After) and try again.
    const receipts = await Promise.all(
      inputs.map(async (input) => {
        for (let attempt = 0; attempt < 50; attempt += 1) {
          try {
            return await deliver(input);
          } catch (error) {
            assert.ok(error instanceof ConnectorError, String(error));
            seen.push(error);
            if (error.kind !== 'rate-limited') throw error;
            await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
          }
        }
        throw new Error('never delivered');
      }),
    );
    assert.ok(fake.writeContentionCount() - contentionBefore >= 2, 'the fake produced contention');
    assert.ok(seen.some((e) => e.status === 429));
    assert.ok(seen.some((e) => e.status === 409));
    for (const error of seen) {
      assert.equal(error.kind, 'rate-limited', error.message);
      assert.equal(error.retryAfterMs, 1000, `${error.status}: ${error.message}`);
      assert.match(error.message, /too_many_write_operations/);
    }
    for (const [index, input] of inputs.entries()) {
      const receipt = receipts[index]!;
      assert.equal(
        receipt.alreadyPresent,
        false,
        'each file is written once, by the attempt that got through',
      );
      assert.deepEqual(fake.files.get(receipt.remotePath ?? '')?.bytes, input.content);
    }
    assert.equal(new Set(receipts.map((r) => r.remotePath)).size, inputs.length);
  } finally {
    fake.limitParallelWrites({ maxInFlight: Number.POSITIVE_INFINITY, holdMs: 0 });
  }
});
