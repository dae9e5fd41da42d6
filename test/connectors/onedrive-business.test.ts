import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import onedrive from '../../connectors/onedrive-business';
import { folderSchema } from '../../connectors/onedrive-business/names';
import { quickXorHash } from '../../connectors/onedrive-business/quick-xor-hash';
import { FRAGMENT_UNIT_BYTES } from '../../connectors/onedrive-business/upload-session';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { ConnectorImplementation, DeliveryInput, Settings, TokenSet } from '../../connectors/types';
import { startOneDriveFake, type OneDriveFake, type StoredItem } from '../fakes/onedrive';

const APP = { clientId: '11111111-2222-4333-8444-555555555555', clientSecret: 'entra-secret-for-tests' };
const REDIRECT_URI = 'https://relais.example.test/v1/oauth/callback';
const LIBRARY_ID = 'b!Fin4nceL1brary_0042-xyz';
const LIBRARY = { folder: 'Invoice_import/', sharedLibrary: LIBRARY_ID };

let fake: OneDriveFake;
let connector: ConnectorImplementation;
let tokens: TokenSet;
let library: Map<string, StoredItem>;

function connectorFor(env: Record<string, string>): ConnectorImplementation {
  return onedrive.create(onedrive.configSchema.parse(env));
}

before(async () => {
  fake = await startOneDriveFake({ ...APP, redirectUris: [REDIRECT_URI] });
  library = fake.addSharedLibrary(LIBRARY_ID, 'Finance');
  connector = connectorFor({
    ONEDRIVE_AUTHORITY_URL: fake.authorityUrl,
    ONEDRIVE_GRAPH_URL: fake.graphUrl,
    ONEDRIVE_CLIENT_ID: APP.clientId,
    ONEDRIVE_CLIENT_SECRET: APP.clientSecret,
  });
  tokens = await signIn();
});
after(() => fake.close());

const oauth = () => connector.oauth!;

async function authorize(decision: 'allow' | 'deny', settings: Settings = {}) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('hex');
  const url = oauth().authorizationUrl({
    state,
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    settings,
  });
  const redirect = new URL(await fake.consent(url, decision));
  return { url: new URL(url), redirect, state, verifier, code: redirect.searchParams.get('code') ?? '' };
}

async function signIn(settings: Settings = {}): Promise<TokenSet> {
  const { code, verifier } = await authorize('allow', settings);
  return oauth().exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: verifier, settings });
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
function invoice(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
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
      customerName: 'ACME BV',
    },
    settings: { format: 'ubl-be-3', folder: 'Invoice_import/' },
    credentials: { kind: 'tokens', tokens },
    ...overrides,
  };
}

const deliver = (input: DeliveryInput) => connector.deliver!(input);
const stored = (path: string) => fake.items.get(path.toLowerCase());
const bigContent = (bytes: number) => randomBytes(bytes);

// --- OAuth ---

test('signs in with PKCE S256 at the organizations authority, reads the OneDrive owner', async () => {
  const { url, redirect, state, code, verifier } = await authorize('allow');
  assert.equal(`${url.origin}${url.pathname}`, `${fake.authorityUrl}/authorize`);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('scope'), 'Files.ReadWrite offline_access');
  assert.equal(redirect.searchParams.get('state'), state);
  const set = await oauth().exchangeCode({
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: verifier,
    settings: {},
  });
  assert.ok(set.accessToken && set.refreshToken, 'offline_access yields a refresh token');
  assert.ok(Date.parse(set.expiresAt!) > Date.now() + 3000_000);
  const account = await oauth().account({ accessToken: set.accessToken, settings: {} });
  assert.equal(account.id, fake.user.id);
  assert.match(account.name, /Relais Test \(owner@contoso\.test\)/);
});

test('a code is single-use and bound to its verifier: refusals are invalid-credentials', async () => {
  const { code } = await authorize('allow');
  await rejectsWith(
    oauth().exchangeCode({
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: 'not-the-verifier-'.repeat(3),
      settings: {},
    }),
    'invalid-credentials',
    /invalid_grant/,
  );
  const second = await authorize('allow');
  await oauth().exchangeCode({
    code: second.code,
    redirectUri: REDIRECT_URI,
    codeVerifier: second.verifier,
    settings: {},
  });
  await rejectsWith(
    oauth().exchangeCode({
      code: second.code,
      redirectUri: REDIRECT_URI,
      codeVerifier: second.verifier,
      settings: {},
    }),
    'invalid-credentials',
  );
});

test('a wrong client secret is misconfigured, naming the setting and not the secret', async () => {
  const wrong = connectorFor({
    ONEDRIVE_AUTHORITY_URL: fake.authorityUrl,
    ONEDRIVE_GRAPH_URL: fake.graphUrl,
    ONEDRIVE_CLIENT_ID: APP.clientId,
    ONEDRIVE_CLIENT_SECRET: 'stale-secret-value',
  });
  const { code, verifier } = await authorize('allow');
  await assert.rejects(
    wrong.oauth!.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: verifier, settings: {} }),
    (error: ConnectorError) => {
      assert.equal(error.kind, 'misconfigured');
      assert.match(error.message, /ONEDRIVE_CLIENT_SECRET/);
      assert.ok(!error.message.includes('stale-secret-value'));
      return true;
    },
  );
});

test('refresh rotates the refresh token, and the new one works', async () => {
  const first = await signIn();
  const second = await oauth().refresh({ refreshToken: first.refreshToken!, settings: {} });
  assert.ok(second.refreshToken);
  assert.notEqual(second.refreshToken, first.refreshToken, 'Microsoft rotates refresh tokens');
  assert.notEqual(second.accessToken, first.accessToken);
  const third = await oauth().refresh({ refreshToken: second.refreshToken, settings: {} });
  assert.notEqual(third.refreshToken, second.refreshToken);
  const calls = fake.identity.tokenCalls().filter((call) => call.grantType === 'refresh_token');
  assert.equal(calls.at(-1)!.refreshToken, second.refreshToken, 'the rotated token was the one sent');
});

for (const [code, reason] of [
  [700082, /long time without use/],
  [50173, /revoked/],
  [70043, /sign-in frequency/],
] as const) {
  test(`invalid_grant AADSTS${code} on refresh means sign in again (auth-expired)`, async () => {
    const set = await signIn();
    fake.refuseRefreshTokens(code);
    await rejectsWith(
      oauth().refresh({ refreshToken: set.refreshToken!, settings: {} }),
      'auth-expired',
      reason,
    );
    tokens = await signIn(); // later tests deliver with a fresh grant
  });
}

test('a shared library asks for Files.ReadWrite.All, on the authorize and the token requests alike', async () => {
  const { url, code, verifier } = await authorize('allow', LIBRARY);
  assert.equal(url.searchParams.get('scope'), 'Files.ReadWrite.All offline_access');
  const set = await oauth().exchangeCode({
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: verifier,
    settings: LIBRARY,
  });
  assert.deepEqual(set.scopes, ['Files.ReadWrite.All']);
  const account = await oauth().account({ accessToken: set.accessToken, settings: LIBRARY });
  assert.equal(account.id, fake.user.id);
  const renewed = await oauth().refresh({ refreshToken: set.refreshToken!, settings: LIBRARY });
  assert.deepEqual(renewed.scopes, ['Files.ReadWrite.All']);

  // The refresh sends the scope of the drive choice: a grant of Files.ReadWrite cannot be renewed
  // as one for a shared library (Microsoft: not consented, AADSTS65001), so the scope was sent.
  const own = await signIn();
  assert.deepEqual(own.scopes, ['Files.ReadWrite']);
  await rejectsWith(
    oauth().refresh({ refreshToken: own.refreshToken!, settings: LIBRARY }),
    'auth-expired',
    /65001/,
  );
});

test('a shared library the account cannot open fails the sign-in step, naming the drive id', async () => {
  const settings = { sharedLibrary: 'b!NoSuchLibrary' };
  const set = await signIn(settings);
  await rejectsWith(
    oauth().account({ accessToken: set.accessToken, settings }),
    'invalid-credentials',
    /drive ID b!NoSuchLibrary \(itemNotFound\)/,
  );
});

test('a busy token endpoint (503 with Retry-After) is retryable, not a lost sign-in', async () => {
  const set = await signIn();
  fake.failNext({ status: 503, headers: { 'Retry-After': '7' }, pathIncludes: '/token' });
  await assert.rejects(
    oauth().refresh({ refreshToken: set.refreshToken!, settings: {} }),
    (error: ConnectorError) => {
      assert.equal(error.kind, 'unavailable');
      assert.equal(error.retryAfterMs, 7000);
      return true;
    },
  );
});

// --- Uploads ---

test('a small file is one PUT with conflictBehavior=fail under the chosen folder', async () => {
  const input = invoice({ settings: { folder: 'Boekhouding/Aankopen 2026/' } });
  const receipt = await deliver(input);
  assert.equal(receipt.alreadyPresent, false);
  assert.equal(receipt.remotePath, `Boekhouding/Aankopen 2026/${input.fileName}`);
  assert.deepEqual(stored(receipt.remotePath!)!.content, input.content);
  const put = fake.log.filter((entry) => entry.method === 'PUT').at(-1)!;
  assert.equal(put.path, `/v1.0/me/drive/root:/Boekhouding/Aankopen%202026/${input.fileName}:/content`);
});

test('with a shared library the file goes to /drives/{id}, not /me/drive; a Files.ReadWrite token is refused there', async () => {
  const libraryTokens = await signIn(LIBRARY);
  const input = invoice({ settings: LIBRARY, credentials: { kind: 'tokens', tokens: libraryTokens } });
  const receipt = await deliver(input);
  assert.equal(receipt.alreadyPresent, false);
  assert.deepEqual(library.get(`invoice_import/${input.fileName.toLowerCase()}`)!.content, input.content);
  assert.equal(stored(`Invoice_import/${input.fileName}`), undefined, 'not in the own OneDrive');
  const put = fake.log.filter((entry) => entry.method === 'PUT').at(-1)!;
  assert.equal(put.path, `/v1.0/drives/${LIBRARY_ID}/root:/Invoice_import/${input.fileName}:/content`);

  // Above 4 MB the upload session is created on the library too.
  const big = invoice({
    settings: LIBRARY,
    content: bigContent(4 * 1024 * 1024 + 7),
    credentials: { kind: 'tokens', tokens: libraryTokens },
  });
  await deliver(big);
  assert.deepEqual(library.get(`invoice_import/${big.fileName.toLowerCase()}`)!.content, big.content);

  // The own-drive grant (Files.ReadWrite) cannot write into a library: Graph says 403 accessDenied.
  const refused = invoice({ settings: LIBRARY });
  await rejectsWith(deliver(refused), 'misconfigured', /accessDenied/);
  assert.equal(library.get(`invoice_import/${refused.fileName.toLowerCase()}`), undefined);
});

test('a file above 4 MB goes through an upload session in 320 KiB multiples without Authorization', async () => {
  const content = bigContent(5 * 1024 * 1024 + 123);
  const input = invoice({ content });
  const logStart = fake.log.length;
  const receipt = await deliver(input);
  assert.equal(receipt.alreadyPresent, false);
  assert.deepEqual(stored(receipt.remotePath!)!.content, content);
  const fragments = fake.log.slice(logStart).filter((entry) => entry.path.startsWith('/upload-sessions/'));
  assert.ok(fragments.length >= 2, 'several fragments');
  for (const fragment of fragments) assert.equal(fragment.authorization, undefined);
  const sizes = fragments
    .map((f) => /bytes (\d+)-(\d+)/.exec(f.contentRange!)!)
    .map((m) => Number(m[2]) - Number(m[1]) + 1);
  for (const size of sizes.slice(0, -1)) assert.equal(size % FRAGMENT_UNIT_BYTES, 0);
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    content.length,
  );
});

test('a lost fragment answer: the resent fragment gets 416, the upload resumes from nextExpectedRanges', async () => {
  const content = bigContent(8 * 1024 * 1024);
  const logStart = fake.log.length;
  fake.loseFragmentAnswer('next');
  const receipt = await deliver(invoice({ content }));
  assert.deepEqual(stored(receipt.remotePath!)!.content, content);
  const statuses = fake.log
    .slice(logStart)
    .filter((e) => e.path.startsWith('/upload-sessions/'))
    .map((e) => `${e.method} ${e.status}`);
  assert.ok(statuses.includes('PUT 416'), statuses.join(', '));
  assert.ok(statuses.includes('GET 200'), 'asked the session where to resume');
});

test('an expired session (404) is started over and the file lands once', async () => {
  const content = bigContent(7 * 1024 * 1024);
  const logStart = fake.log.length;
  fake.expireNextSessionAfterFragments(1);
  const receipt = await deliver(invoice({ content }));
  assert.equal(receipt.alreadyPresent, false);
  assert.deepEqual(stored(receipt.remotePath!)!.content, content);
  const creates = fake.log.slice(logStart).filter((e) => e.path.endsWith(':/createUploadSession'));
  assert.equal(creates.length, 2);
});

test('a lost answer to the final fragment: the committed file is recognised as ours (alreadyPresent)', async () => {
  const content = bigContent(4 * 1024 * 1024 + 10);
  fake.loseFragmentAnswer('final');
  const logStart = fake.log.length;
  const receipt = await deliver(invoice({ content }));
  // The resent last fragment meets a finished session (404), the new session meets the file (409).
  assert.equal(receipt.alreadyPresent, true);
  assert.deepEqual(stored(receipt.remotePath!)!.content, content);
  const conflicts = fake.log
    .slice(logStart)
    .filter((e) => e.path.endsWith(':/createUploadSession') && e.status === 409);
  assert.equal(conflicts.length, 1);
});

test('409 nameAlreadyExists with our bytes is already delivered; with other bytes a clear refusal', async () => {
  const input = invoice();
  const firstReceipt = await deliver(input);
  const retried = await deliver(input);
  assert.equal(retried.alreadyPresent, true);
  assert.equal(retried.remoteId, firstReceipt.remoteId);

  const other = invoice();
  fake.putFile(`Invoice_import/${other.fileName}`, Buffer.from('someone else wrote this'));
  await rejectsWith(
    deliver(other),
    'rejected',
    new RegExp(`different content .*Invoice_import/${other.fileName}`),
  );
  assert.equal(stored(`Invoice_import/${other.fileName}`)!.content.toString(), 'someone else wrote this');
});

test('the same size with another hash is a conflict, not a match (quickXorHash compared)', async () => {
  const input = invoice();
  const lookalike = Buffer.from(input.content);
  lookalike[0] = lookalike[0]! ^ 1;
  fake.putFile(`Invoice_import/${input.fileName}`, lookalike);
  await rejectsWith(deliver(input), 'rejected', /different content/);
});

test('409 with no hash in the metadata yet: the existing bytes are downloaded and compared, never guessed', async () => {
  fake.hideHashes(true);
  try {
    // Our own file, just written, before Graph computed its hash: already delivered.
    const input = invoice();
    const first = await deliver(input);
    const logStart = fake.log.length;
    const retried = await deliver(input);
    assert.equal(retried.alreadyPresent, true);
    assert.equal(retried.remoteId, first.remoteId);
    const reads = fake.log.slice(logStart).map((e) => `${e.method} ${e.path} ${e.authorization ?? '-'}`);
    assert.ok(
      reads.includes(`GET /v1.0/me/drive/root:/Invoice_import/${input.fileName}:/content Bearer`),
      reads.join('\n'),
    );
    const download = fake.log.slice(logStart).find((e) => e.path.startsWith('/downloads/'));
    assert.ok(download, 'followed the redirect to the download URL');
    assert.equal(download.authorization, undefined, 'the token does not travel to the download URL');

    // Someone else's file of the same size: a clear refusal, untouched.
    const other = invoice();
    const lookalike = Buffer.from(other.content);
    lookalike[0] = lookalike[0]! ^ 1;
    fake.putFile(`Invoice_import/${other.fileName}`, lookalike);
    await rejectsWith(deliver(other), 'rejected', /different content/);
    assert.deepEqual(stored(`Invoice_import/${other.fileName}`)!.content, lookalike);

    // Another size needs no download: it cannot be ours.
    const shorter = invoice();
    fake.putFile(`Invoice_import/${shorter.fileName}`, Buffer.from('short'));
    const beforeShorter = fake.log.length;
    await rejectsWith(deliver(shorter), 'rejected', /different content/);
    assert.ok(!fake.log.slice(beforeShorter).some((e) => e.path.startsWith('/downloads/')));
  } finally {
    fake.hideHashes(false);
  }
});

test('409 resourceModified is retryable', async () => {
  fake.failNext({
    status: 409,
    body: { error: { code: 'resourceModified', message: 'ETag mismatch' } },
    pathIncludes: ':/content',
  });
  await rejectsWith(deliver(invoice()), 'unavailable');
});

for (const [header, expected] of [
  ['5', 5000],
  ['2.5', 2500],
  [undefined, undefined],
] as const) {
  test(`429 with Retry-After ${header ?? '(missing)'} → rate-limited, wait ${expected ?? 'left to back-off'}`, async () => {
    fake.failNext({
      status: 429,
      body: { error: { code: 'activityLimitReached', message: 'Too many requests' } },
      ...(header ? { headers: { 'Retry-After': header } } : {}),
      pathIncludes: ':/content',
    });
    await assert.rejects(deliver(invoice()), (error: ConnectorError) => {
      assert.equal(error.kind, 'rate-limited');
      assert.equal(error.retryAfterMs, expected);
      return true;
    });
  });
}

test('503 with Retry-After is retried after that wait', async () => {
  fake.failNext({ status: 503, headers: { 'Retry-After': '3' }, pathIncludes: ':/content' });
  await assert.rejects(deliver(invoice()), (error: ConnectorError) => {
    assert.equal(error.kind, 'unavailable');
    assert.equal(error.retryAfterMs, 3000);
    return true;
  });
});

test('507 (quota) is rejected with a plain reason, for a simple upload and an upload session', async () => {
  fake.setQuotaLeft(10);
  const itemsBefore = fake.items.size;
  try {
    await rejectsWith(deliver(invoice()), 'rejected', /OneDrive is full/);
    await rejectsWith(
      deliver(invoice({ content: bigContent(4 * 1024 * 1024 + 1) })),
      'rejected',
      /OneDrive is full/,
    );
    assert.equal(fake.items.size, itemsBefore, 'nothing stored');
  } finally {
    fake.setQuotaLeft(Number.MAX_SAFE_INTEGER);
  }
});

test('a failed fragment aborts the session with DELETE uploadUrl', async () => {
  const deletedBefore = fake.deletedSessions();
  fake.failNext({
    status: 400,
    body: { error: { code: 'invalidRequest', message: 'Bad fragment' } },
    pathIncludes: '/upload-sessions/',
  });
  await rejectsWith(deliver(invoice({ content: bigContent(5 * 1024 * 1024) })), 'rejected', /invalidRequest/);
  assert.equal(fake.deletedSessions(), deletedBefore + 1);
});

test('an expired access token is auth-expired', async () => {
  const set = await signIn();
  fake.identity.expireAccessTokens();
  await rejectsWith(deliver(invoice({ credentials: { kind: 'tokens', tokens: set } })), 'auth-expired');
  tokens = await signIn();
});

// --- Names ---

test('folder names follow OneDrive for Business rules; segments are encoded', async () => {
  assert.equal(folderSchema.parse(''), 'Invoice_import/');
  assert.equal(folderSchema.parse(' Factures/2026 '), 'Factures/2026');
  for (const [bad, message] of [
    ['a:b/', /contains :/],
    ['Factures*/', /contains \*/],
    ['~temp/', /starts with ~/],
    ['Factures./', /ends with a dot/],
    ['a\\b', /not \\/],
    ['x/"y"/', /contains "/],
  ] as const) {
    const result = folderSchema.safeParse(bad);
    assert.ok(!result.success, bad);
    assert.match(result.error.issues[0]!.message, message);
  }
  const input = invoice({ settings: { folder: 'Factures #1 & Co/é%' } });
  const receipt = await deliver(input);
  assert.equal(receipt.remotePath, `Factures #1 & Co/é%/${input.fileName}`);
  const put = fake.log.filter((entry) => entry.method === 'PUT').at(-1)!;
  assert.match(put.path, /root:\/Factures%20%231%20%26%20Co\/%C3%A9%25\//);
  await rejectsWith(deliver(invoice({ settings: { folder: 'bad|folder' } })), 'misconfigured', /contains \|/);
});

test('quickXorHash matches published vectors', () => {
  for (const [input, hash] of [
    ['', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['Sg==', 'SgAAAAAAAAAAAAAAAQAAAAAAAAA='],
    ['tbQ=', 'taAFAAAAAAAAAAAAAgAAAAAAAAA='],
    ['2fuxhBJXtpWFe8dOfdGeHw==', 'O9tHLAghgSvYohKFyMMxnNCHaHg='],
    ['bU2j/0XYdgfPFD4691jV0AOUEUPR4Z5E', 'bnLBiLpVgnxVkXhNsIAPdHAPLFQ='],
  ]) {
    assert.equal(quickXorHash(Buffer.from(input!, 'base64')), hash);
  }
  assert.equal(quickXorHash(Buffer.from('hello world')), 'aCgDG9jwBhDc4Q1yawMZAAAAAAA=');
});
