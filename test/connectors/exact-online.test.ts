import { test } from 'node:test';
import assert from 'node:assert/strict';
import exactOnline from '../../connectors/exact-online';
import { createErrorBreaker, exactRequest, rateLimitDelay } from '../../connectors/exact-online/client';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import { refreshDue } from '../../activities/credentials';
import type { ConnectorImplementation, DeliveryInput, Settings, TokenSet } from '../../connectors/types';
import {
  startExactFake,
  type ConsentDecision,
  type ExactFake,
  type ExactFakeOptions,
} from '../fakes/exact-online';

const clientId = 'relais-test-app';
const clientSecret = 'relais-test-secret';
const redirectUri = 'https://relais.example/v1/oauth/callback';
const site: Settings = { site: 'be' };

const fiveDivisions = [
  { code: 1001, description: 'Brasserie Dupont SRL', vatNumber: 'BE0123456749', hid: 1 },
  { code: 1002, description: 'Atelier Peeters BV', vatNumber: 'BE0987654394', hid: 2 },
  { code: 1003, description: 'Boulangerie Lambert', vatNumber: 'BE0417497106', hid: 3 },
  { code: 1004, description: 'Garage Janssens', hid: 4 },
  { code: 1005, description: 'Immo Claes' },
];

/** Moves the fake's clock to just after a minute starts, so a test's calls share one quota window. */
function startOfAMinute(fake: ExactFake): void {
  fake.knobs.advanceClock(60_000 - (fake.now() % 60_000) + 500);
}

interface Harness {
  fake: ExactFake;
  exact: ConnectorImplementation;
  oauth: NonNullable<ConnectorImplementation['oauth']>;
  signIn(decision?: ConsentDecision): Promise<TokenSet>;
}

/** A fresh fake per test: quotas, grants and documents never leak from one test into another. */
async function withExact(options: Partial<ExactFakeOptions>, run: (harness: Harness) => Promise<void>) {
  const fake = await startExactFake({ clientId, clientSecret, redirectUri, ...options });
  try {
    const config = exactOnline.configSchema.parse({
      EXACT_CLIENT_ID: clientId,
      EXACT_CLIENT_SECRET: clientSecret,
      EXACT_SITE_URLS: JSON.stringify({ be: fake.url }),
    });
    const exact = exactOnline.create(config);
    const oauth = exact.oauth!;
    const signIn = async (decision: ConsentDecision = 'allow') => {
      const back = new URL(
        fake.consent(oauth.authorizationUrl({ state: 'state-1', redirectUri, settings: site }), decision),
      );
      assert.equal(back.searchParams.get('state'), 'state-1');
      return oauth.exchangeCode({ code: back.searchParams.get('code') ?? '', redirectUri, settings: site });
    };
    await run({ fake, exact, oauth, signIn });
  } finally {
    await fake.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, kind: ConnectorErrorKind): Promise<ConnectorError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return error instanceof ConnectorError && error.kind === kind;
  });
  return caught as ConnectorError;
}

function invoice(
  tokens: TokenSet,
  overrides: Partial<DeliveryInput> & { settings: Settings },
): DeliveryInput {
  return {
    deliveryId: 'delivery-doc-1-conn-1',
    documentType: 'purchase-invoice',
    fileName: 'Dupont_F2024-001_2024-03-15.xml',
    content: Buffer.from('<Invoice>é€ bytes that must survive base64</Invoice>'),
    contentType: 'application/xml',
    pdf: () => Promise.reject(new Error('this target takes no PDF')),
    document: {
      number: "F2024-001 'A'",
      issueDate: '2024-03-15',
      kind: 'invoice',
      supplierName: 'Fournisseur SA',
      supplierVat: 'BE0417497106',
      customerName: 'Brasserie Dupont SRL',
      customerVat: 'BE0123456749',
    },
    credentials: { kind: 'tokens', tokens },
    ...overrides,
  };
}

test('signs in with the authorization code flow (no PKCE, no scopes) and reads the account', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const url = new URL(oauth.authorizationUrl({ state: 's', redirectUri, settings: site }));
    assert.equal(url.origin + url.pathname, `${fake.url}/api/oauth2/auth`);
    assert.equal(url.searchParams.get('client_id'), clientId);
    assert.equal(url.searchParams.get('redirect_uri'), redirectUri);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('force_login'), '0');
    assert.equal(url.searchParams.has('code_challenge') || url.searchParams.has('scope'), false);

    const before = Date.now();
    const tokens = await signIn();
    // Exact sends expires_in as the string "600": the token lives ten minutes from the request.
    const expiresAt = Date.parse(tokens.expiresAt ?? '');
    assert.ok(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000, tokens.expiresAt);
    assert.ok(tokens.refreshToken);
    assert.equal(fake.tokenCalls, 1);

    const account = await oauth.account({ accessToken: tokens.accessToken, settings: site });
    assert.deepEqual(account, { id: fake.user.userId, name: fake.user.fullName });
  });
});

test('the sign-in page takes a login and the companies to share, then redirects with a code', async () => {
  await withExact({ divisions: fiveDivisions }, async ({ fake, exact, oauth }) => {
    const authorizationUrl = oauth.authorizationUrl({ state: 'page', redirectUri, settings: site });
    const page = await fetch(authorizationUrl);
    assert.equal(page.status, 200);
    assert.match(
      await page.text(),
      /<form method="post" action="\/api\/oauth2\/auth"[\s\S]*name="division" value="1003"/,
    );

    const fields = Object.fromEntries(new URL(authorizationUrl).searchParams);
    const submit = (extra: Record<string, string>, divisions: string[] = []) => {
      const form = new URLSearchParams({ ...fields, ...extra });
      for (const division of divisions) form.append('division', division);
      return fetch(`${fake.url}/api/oauth2/auth`, { method: 'POST', body: form, redirect: 'manual' });
    };
    const wrong = await submit({ username: fake.user.username, password: 'wrong', decision: 'allow' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Wrong user name or password/);

    const { username, password } = fake.user;
    const allowed = await submit({ username, password, scope: 'chosen', decision: 'allow' }, [
      '1003',
      '1005',
    ]);
    assert.equal(allowed.status, 302);
    const back = new URL(allowed.headers.get('location') ?? '');
    assert.equal(back.origin + back.pathname, redirectUri);
    assert.equal(back.searchParams.get('state'), 'page');
    const tokens = await oauth.exchangeCode({
      code: back.searchParams.get('code') ?? '',
      redirectUri,
      settings: site,
    });
    const shared = await exact.listAdministrations!({
      credentials: { kind: 'tokens', tokens },
      settings: site,
    });
    assert.deepEqual(
      shared.map((administration) => administration.id),
      ['1003', '1005'],
    );

    const denied = await submit({ decision: 'deny' });
    assert.equal(new URL(denied.headers.get('location') ?? '').searchParams.get('error'), 'access_denied');
    const otherRedirect = await fetch(
      authorizationUrl.replace(encodeURIComponent(redirectUri), 'https%3A%2F%2Fevil.example%2F'),
    );
    assert.equal(otherRedirect.status, 400);
  });
});

test('an authorization code is single-use', async () => {
  await withExact({}, async ({ fake, oauth }) => {
    const back = new URL(fake.consent(oauth.authorizationUrl({ state: 's', redirectUri, settings: site })));
    const code = back.searchParams.get('code') ?? '';
    await oauth.exchangeCode({ code, redirectUri, settings: site });
    await rejectsWith(oauth.exchangeCode({ code, redirectUri, settings: site }), 'invalid-credentials');
  });
});

test('a refresh rotates both tokens; spending the old refresh token again is auth-expired', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const first = await signIn();
    fake.knobs.advanceClock(571_000);
    const second = await oauth.refresh({ refreshToken: first.refreshToken ?? '', settings: site });
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.ok(await oauth.account({ accessToken: second.accessToken, settings: site }));
    // Only one access token is valid per app and user.
    await rejectsWith(oauth.account({ accessToken: first.accessToken, settings: site }), 'auth-expired');

    fake.knobs.advanceClock(571_000);
    const reused = await rejectsWith(
      oauth.refresh({ refreshToken: first.refreshToken ?? '', settings: site }),
      'auth-expired',
    );
    assert.match(reused.message, /Sign in to Exact Online again/);
    assert.doesNotMatch(reused.message, new RegExp(first.refreshToken ?? 'never'));
  });
});

test('a reused refresh token (401 "Old refresh token used.") is auth-expired, not misconfigured', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const first = await signIn();
    fake.knobs.advanceClock(571_000);
    await oauth.refresh({ refreshToken: first.refreshToken ?? '', settings: site });
    fake.knobs.advanceClock(571_000);
    const reused = await rejectsWith(
      oauth.refresh({ refreshToken: first.refreshToken ?? '', settings: site }),
      'auth-expired',
    );
    assert.equal(reused.status, 401);
  });
});

test('a wrong client secret at the token endpoint (401 unauthorized_client) is misconfigured', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const tokens = await signIn();
    fake.knobs.advanceClock(571_000);
    const config = exactOnline.configSchema.parse({
      EXACT_CLIENT_ID: clientId,
      EXACT_CLIENT_SECRET: 'not-the-secret',
      EXACT_SITE_URLS: JSON.stringify({ be: fake.url }),
    });
    const wrong = exactOnline.create(config).oauth!;
    const error = await rejectsWith(
      wrong.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site }),
      'misconfigured',
    );
    assert.equal(error.status, 401);
    assert.match(error.message, /EXACT_CLIENT_SECRET/);
    // The refused call spent nothing: the right app still refreshes with the same token.
    assert.ok(await oauth.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site }));
  });
});

test('a refresh token unused for 30 days (400 invalid_request "expired at") is auth-expired', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const tokens = await signIn();
    fake.knobs.advanceClock(30 * 24 * 3600_000 + 1_000);
    const expired = await rejectsWith(
      oauth.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site }),
      'auth-expired',
    );
    assert.equal(expired.status, 400);
    assert.match(expired.message, /Sign in to Exact Online again/);
  });
});

test('a refresh sooner than 570 s after the last token is rate-limited and spends nothing', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const tokens = await signIn();
    const early = await rejectsWith(
      oauth.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site }),
      'rate-limited',
    );
    assert.equal(early.retryAfterMs, 30_000);
    fake.knobs.advanceClock(570_000);
    const renewed = await oauth.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site });
    assert.ok(renewed.accessToken);
  });
});

/**
 * Steady traffic for 40 minutes of the fake's clock, one call every 10 s, refreshing whenever
 * activities/credentials.ts would (refreshDue). Token times are client (real) time: the test moves
 * them onto the fake's clock by the offset it has advanced so far. Returns the refused refreshes.
 */
async function steadyTraffic(harness: Harness, minTokenAgeMs: number): Promise<ConnectorErrorKind[]> {
  const { fake, oauth, signIn } = harness;
  let offset = 0;
  const onFakeClock = (tokens: TokenSet): TokenSet => ({
    ...tokens,
    expiresAt: new Date(Date.parse(tokens.expiresAt ?? '') + offset).toISOString(),
    issuedAt: tokens.issuedAt && new Date(Date.parse(tokens.issuedAt) + offset).toISOString(),
  });
  let tokens = onFakeClock(await signIn());
  const refused: ConnectorErrorKind[] = [];
  for (let step = 0; step < 240; step += 1) {
    fake.knobs.advanceClock(10_000);
    offset += 10_000;
    if (refreshDue(tokens, Date.now() + offset, minTokenAgeMs)) {
      try {
        tokens = onFakeClock(
          await oauth.refresh({ refreshToken: tokens.refreshToken ?? '', settings: site }),
        );
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        refused.push(error.kind);
        continue;
      }
    }
    await oauth.account({ accessToken: tokens.accessToken, settings: site });
  }
  return refused;
}

test('steady traffic never asks Exact for a refresh it refuses: refresh waits for 570 s of token age', async () => {
  const minAge = exactOnline.descriptor.oauth?.minTokenAgeBeforeRefreshMs;
  assert.equal(minAge, 570_000);
  await withExact({}, async (harness) => {
    assert.deepEqual(await steadyTraffic(harness, minAge), []);
    // 40 minutes at one refresh per 570-580 s of token age, plus the sign-in.
    assert.equal(harness.fake.tokenCalls, 5);
  });
  // The former rule (60 s before expiry, i.e. 540 s after issue) meets refusals.
  await withExact({}, async (harness) => {
    const refused = await steadyTraffic(harness, 0);
    assert.ok(refused.length > 0);
    assert.ok(refused.every((kind) => kind === 'rate-limited'));
  });
});

test('refreshDue: between issuedAt + the minimum age and expiry; margin alone without issuedAt', () => {
  const issued = Date.parse('2026-01-01T00:00:00Z');
  const tokens: TokenSet = {
    accessToken: 'a',
    refreshToken: 'r',
    issuedAt: new Date(issued).toISOString(),
    expiresAt: new Date(issued + 600_000).toISOString(),
  };
  assert.equal(refreshDue(tokens, issued + 569_000, 570_000), false);
  assert.equal(refreshDue(tokens, issued + 570_000, 570_000), true);
  assert.equal(refreshDue(tokens, issued + 540_000), true);
  assert.equal(refreshDue({ ...tokens, issuedAt: undefined }, issued + 540_000, 570_000), true);
  assert.equal(refreshDue({ ...tokens, expiresAt: undefined }, issued + 900_000, 570_000), false);
});

test('a second sign-in ends the first grant', async () => {
  await withExact({}, async ({ fake, oauth, signIn }) => {
    const first = await signIn();
    const second = await signIn();
    await rejectsWith(oauth.account({ accessToken: first.accessToken, settings: site }), 'auth-expired');
    fake.knobs.advanceClock(571_000);
    await rejectsWith(
      oauth.refresh({ refreshToken: first.refreshToken ?? '', settings: site }),
      'auth-expired',
    );
    assert.ok(await oauth.account({ accessToken: second.accessToken, settings: site }));
  });
});

test('lists the shared administrations, following __next across pages', async () => {
  await withExact({ divisions: fiveDivisions, pageSize: 2 }, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const credentials = { kind: 'tokens' as const, tokens };
    const administrations = await exact.listAdministrations!({ credentials, settings: site });
    assert.deepEqual(administrations, [
      { id: '1001', name: 'Brasserie Dupont SRL', code: '1', vatNumber: 'BE0123456749' },
      { id: '1002', name: 'Atelier Peeters BV', code: '2', vatNumber: 'BE0987654394' },
      { id: '1003', name: 'Boulangerie Lambert', code: '3', vatNumber: 'BE0417497106' },
      { id: '1004', name: 'Garage Janssens', code: '4' },
      { id: '1005', name: 'Immo Claes' },
    ]);
    const pages = fake.log.filter((entry) => entry.path === '/api/v1/1001/system/Divisions');
    assert.deepEqual(
      pages.map((entry) => entry.query.$skiptoken),
      [undefined, '1002', '1004'],
    );

    // "All current and future" administrations include one created after the sign-in.
    fake.knobs.addDivision({ code: 1006, description: 'Nouvelle SRL' });
    const later = await exact.listAdministrations!({ credentials, settings: site });
    assert.equal(later.at(-1)?.id, '1006');
  });
});

test('only the administrations chosen on the consent screen are listed and reachable', async () => {
  await withExact({ divisions: fiveDivisions }, async ({ exact, signIn }) => {
    const tokens = await signIn({ divisions: [1002, 1004] });
    const credentials = { kind: 'tokens' as const, tokens };
    const administrations = await exact.listAdministrations!({ credentials, settings: site });
    assert.deepEqual(
      administrations.map((administration) => administration.id),
      ['1002', '1004'],
    );
    const settings = { site: 'be', administrationIds: ['1001'] };
    await rejectsWith(exact.deliver!(invoice(tokens, { settings })), 'misconfigured');
  });
});

test('every API request asks for JSON; without the Accept header Exact answers XML', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    await exact.listAdministrations!({ credentials: { kind: 'tokens', tokens }, settings: site });
    await exact.deliver!(invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } }));
    const apiCalls = fake.log.filter((entry) => entry.path.startsWith('/api/v1/'));
    assert.ok(apiCalls.length >= 5);
    for (const call of apiCalls) assert.equal(call.accept, 'application/json', `${call.method} ${call.path}`);

    const xml = await fetch(`${fake.url}/api/v1/current/Me`, {
      headers: { Authorization: `Bearer ${tokens.accessToken}` },
    });
    assert.match(xml.headers.get('content-type') ?? '', /application\/atom\+xml/);
    assert.match(await xml.text(), /^<\?xml[^>]*>\s*<feed[\s\S]*<d:FullName>Marie Dupont<\/d:FullName>/);
  });
});

test('reads the six rate-limit headers of every response', async () => {
  await withExact({}, async ({ fake, signIn }) => {
    const tokens = await signIn();
    startOfAMinute(fake);
    const session = { baseUrl: fake.url, accessToken: tokens.accessToken };
    const first = await exactRequest(session, {
      path: '1001/documents/DocumentTypes',
      action: 'read document types',
    });
    const second = await exactRequest(session, {
      path: '1001/documents/DocumentTypes',
      action: 'read document types',
    });
    const nextMinute = (Math.floor(fake.now() / 60_000) + 1) * 60_000;
    const nextDay = (Math.floor(fake.now() / 86_400_000) + 1) * 86_400_000;
    assert.deepEqual(first.rateLimits, {
      minutely: { limit: 60, remaining: 59, resetAt: nextMinute },
      daily: { limit: 5000, remaining: 4999, resetAt: nextDay },
    });
    assert.equal(second.rateLimits.minutely?.remaining, 58);
    assert.equal(second.rateLimits.daily?.remaining, 4998);
  });
});

test('a 429 is rate-limited until the exhausted window resets', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const credentials = { kind: 'tokens' as const, tokens };
    startOfAMinute(fake);
    fake.knobs.exhaustMinuteQuota();
    const minute = await rejectsWith(
      exact.listAdministrations!({ credentials, settings: site }),
      'rate-limited',
    );
    const untilNextMinute = (Math.floor(fake.now() / 60_000) + 1) * 60_000 - Date.now();
    assert.ok(Math.abs((minute.retryAfterMs ?? -1) - untilNextMinute) < 1000, String(minute.retryAfterMs));
    assert.equal(fake.log.at(-1)?.status, 429);

    fake.knobs.advanceClock(60_000);
    fake.knobs.exhaustDayQuota(1001);
    const day = await rejectsWith(
      exact.listAdministrations!({ credentials, settings: site }),
      'rate-limited',
    );
    const untilMidnight = (Math.floor(fake.now() / 86_400_000) + 1) * 86_400_000 - Date.now();
    assert.ok(Math.abs((day.retryAfterMs ?? -1) - untilMidnight) < 1000, String(day.retryAfterMs));
  });
});

test('the delay after a 429 is that of the window that ran out', () => {
  const now = 1_700_000_000_000;
  const minutely = { limit: 60, remaining: 12, resetAt: now + 20_000 };
  const daily = { limit: 5000, remaining: 0, resetAt: now + 3_600_000 };
  assert.equal(rateLimitDelay({ minutely, daily }, null, now), 3_600_000);
  assert.equal(
    rateLimitDelay({ minutely: { ...minutely, remaining: 0 }, daily: { ...daily, remaining: 9 } }, null, now),
    20_000,
  );
  assert.equal(rateLimitDelay({ minutely: { ...minutely, remaining: 0 }, daily }, null, now), 3_600_000);
  assert.equal(rateLimitDelay({}, '7', now), 7_000);
});

test('deliver files a document and attaches the file to it', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const input = invoice(tokens, { settings: { site: 'be', administrationIds: ['1002'] } });
    const receipt = await exact.deliver!(input);

    const [document, ...others] = fake.documents(1002);
    assert.ok(document);
    assert.equal(others.length, 0);
    assert.equal(document.Subject, `Relais ${input.deliveryId} ${input.document.number}`);
    assert.equal(document.Type, 20);
    assert.equal(document.DocumentDate?.toISOString(), '2024-03-15T00:00:00.000Z');
    assert.equal(document.attachments.length, 1);
    assert.equal(document.attachments[0]?.FileName, input.fileName);
    assert.deepEqual(document.attachments[0]?.content, input.content);
    assert.equal(receipt.remoteId, document.ID);
    assert.equal(receipt.alreadyPresent, false);
    assert.equal(receipt.details?.division, 1002);
    assert.equal(receipt.details?.attachmentId, document.attachments[0]?.ID);

    const sales = await exact.deliver!({
      ...input,
      deliveryId: 'delivery-doc-2-conn-1',
      documentType: 'sales-invoice',
    });
    assert.equal(fake.documents(1002).find((candidate) => candidate.ID === sales.remoteId)?.Type, 10);
  });
});

test('creates ask for the entity back (Prefer: return=representation); without it Exact sends nulls', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const receipt = await exact.deliver!(
      invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } }),
    );
    const posts = fake.log.filter((entry) => entry.method === 'POST' && entry.path.startsWith('/api/v1/'));
    assert.equal(posts.length, 2);
    for (const post of posts) assert.equal(post.prefer, 'return=representation', post.path);
    const [document] = fake.documents(1001);
    assert.equal(receipt.remoteId, document?.ID);

    const create = (prefer?: string) =>
      fetch(`${fake.url}/api/v1/1001/documents/Documents`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          Authorization: `Bearer ${tokens.accessToken}`,
          ...(prefer ? { Prefer: prefer } : {}),
        },
        body: JSON.stringify({ Type: 20, Subject: 'by hand' }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { d: Record<string, unknown> },
      }));
    const bare = await create();
    assert.equal(bare.status, 201);
    assert.equal(bare.body.d.ID, null);
    assert.equal(bare.body.d.Subject, null);
    const full = await create('return=representation');
    assert.match(String(full.body.d.ID), /^[0-9a-f-]{36}$/);
    assert.equal(full.body.d.Subject, 'by hand');
  });
});

test('Documents and DocumentAttachments refuse a list without a mandatory filter; the look-ups pass', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const settings = { site: 'be', administrationIds: ['1001'] };
    await exact.deliver!(invoice(tokens, { settings }));
    const again = await exact.deliver!(invoice(tokens, { settings }));
    assert.equal(again.alreadyPresent, true);
    const session = { baseUrl: fake.url, accessToken: tokens.accessToken };
    for (const path of ['1001/documents/Documents', '1001/documents/DocumentAttachments']) {
      const refused = await rejectsWith(exactRequest(session, { path, action: 'list' }), 'rejected');
      assert.match(refused.message, /must have a \$filter parameter with one of the following fields/);
      const unsupported = exactRequest(session, {
        path,
        query: { $filter: "FileName eq 'x'" },
        action: 'list',
      });
      await assert.rejects(unsupported);
    }
  });
});

test('delivering again with the same delivery id finds the document and creates nothing', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const input = invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } });
    const first = await exact.deliver!(input);
    const postsBefore = fake.log.filter((entry) => entry.method === 'POST').length;

    const again = await exact.deliver!(input);
    assert.equal(again.alreadyPresent, true);
    assert.equal(again.remoteId, first.remoteId);
    assert.equal(again.details?.attachmentId, first.details?.attachmentId);
    assert.equal(fake.documents(1001).length, 1);
    assert.equal(fake.log.filter((entry) => entry.method === 'POST').length, postsBefore);
  });
});

test('a retry after a failed attachment upload adds only the attachment', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    const input = invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } });
    fake.knobs.failNext({ status: 503, message: 'Service Unavailable', path: 'DocumentAttachments' });
    await rejectsWith(exact.deliver!(input), 'unavailable');
    assert.equal(fake.documents(1001).length, 1);
    assert.equal(fake.documents(1001)[0]?.attachments.length, 0);

    const receipt = await exact.deliver!(input);
    assert.equal(receipt.alreadyPresent, false);
    assert.equal(fake.documents(1001).length, 1);
    assert.equal(receipt.remoteId, fake.documents(1001)[0]?.ID);
    assert.equal(fake.documents(1001)[0]?.attachments.length, 1);
  });
});

test("a document Exact refuses is rejected with Exact's message", async () => {
  await withExact({}, async ({ exact, signIn }) => {
    const tokens = await signIn();
    const input = invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } });
    const refused = await rejectsWith(
      exact.deliver!({ ...input, document: { ...input.document, issueDate: '2024-02-30' } }),
      'rejected',
    );
    assert.equal(refused.status, 400);
    assert.match(refused.message, /Exact Online refused to file invoice .*Edm\.DateTime/);
  });
});

test('an expired access token at delivery is auth-expired', async () => {
  await withExact({}, async ({ fake, exact, signIn }) => {
    const tokens = await signIn();
    fake.knobs.expireAccessTokens();
    await rejectsWith(
      exact.deliver!(invoice(tokens, { settings: { site: 'be', administrationIds: ['1001'] } })),
      'auth-expired',
    );
  });
});

test('with all administrations, the company code, then the tenant VAT number, then the current one decide', async () => {
  await withExact({ divisions: fiveDivisions, pageSize: 2 }, async ({ exact, signIn }) => {
    const tokens = await signIn();
    const all = { site: 'be', administrationIds: 'all' };
    const divisionOf = async (overrides: Partial<DeliveryInput>, settings: Settings = all) =>
      (await exact.deliver!({ ...invoice(tokens, { settings }), ...overrides })).details?.division;
    const base = invoice(tokens, { settings: all });

    // A purchase invoice belongs to its customer: BE0987654394 is division 1002's.
    const purchase = { ...base.document, customerVat: 'BE 0987.654.394' };
    assert.equal(await divisionOf({ deliveryId: 'd-1', document: purchase }), 1002);
    // A sales invoice belongs to its supplier.
    const sales = { ...base.document, supplierVat: '0417497106' };
    assert.equal(
      await divisionOf({ deliveryId: 'd-2', documentType: 'sales-invoice', document: sales }),
      1003,
    );
    // No administration has the VAT number: the user's current division.
    const unknown = { ...base.document, customerVat: 'NL123456789B01' };
    assert.equal(await divisionOf({ deliveryId: 'd-3', document: unknown }), 1001);
    // The company code of an accountant's template wins.
    assert.equal(
      await divisionOf({ deliveryId: 'd-4', document: purchase }, { ...all, companyCode: '4' }),
      1004,
    );
    await rejectsWith(
      exact.deliver!(invoice(tokens, { settings: { ...all, companyCode: '99' } })),
      'misconfigured',
    );
  });
});

test('without the app credentials the connector is misconfigured, with a message naming the variables', () => {
  const exact = exactOnline.create(exactOnline.configSchema.parse({}));
  assert.throws(
    () => exact.oauth!.authorizationUrl({ state: 's', redirectUri, settings: site }),
    (error) =>
      error instanceof ConnectorError &&
      error.kind === 'misconfigured' &&
      /EXACT_CLIENT_ID/.test(error.message),
  );
  assert.equal(
    exactOnline.configSchema.safeParse({ EXACT_SITE_URLS: '{"xx": "https://a.example"}' }).success,
    false,
  );
  assert.equal(exactOnline.configSchema.safeParse({ EXACT_SITE_URLS: 'not json' }).success, false);
});

test('a burst of failing requests stops before Exact blocks the API key; the breaker resets after its window', async () => {
  await withExact({}, async ({ fake, signIn }) => {
    const tokens = await signIn();
    let clock = Date.now();
    const breaker = createErrorBreaker({ threshold: 5, windowMs: 3_600_000, now: () => clock });
    const session = { baseUrl: fake.url, accessToken: tokens.accessToken, breaker };
    const failing = () =>
      exactRequest(session, {
        method: 'POST',
        path: '1001/documents/Documents',
        body: { Type: 20 },
        action: 'file the document',
      });
    const kinds: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const error = await failing().catch((caught: unknown) => caught);
      assert.ok(error instanceof ConnectorError);
      kinds.push(error.kind);
      if (error.kind === 'rate-limited') {
        assert.match(error.message, /paused .* to avoid Exact's block/);
        assert.ok((error.retryAfterMs ?? 0) > 3_500_000, String(error.retryAfterMs));
      }
    }
    assert.deepEqual(kinds.slice(0, 5), Array(5).fill('rejected'));
    assert.deepEqual(kinds.slice(5), Array(15).fill('rate-limited'));
    assert.deepEqual(fake.errorBlock(), { maxErrors: 5, blockedCalls: 0 });
    // Another endpoint of the same division is not paused.
    await exactRequest(session, { path: '1001/documents/DocumentTypes', action: 'list document types' });

    clock += 3_600_001;
    await rejectsWith(failing(), 'rejected');
    assert.deepEqual(fake.errorBlock(), { maxErrors: 6, blockedCalls: 0 });
  });
});

test('refused access tokens (401) do not pause the endpoint: the delivery refreshes instead', async () => {
  await withExact({}, async ({ fake, signIn }) => {
    const tokens = await signIn();
    const breaker = createErrorBreaker({ threshold: 5, windowMs: 3_600_000 });
    const list = (accessToken: string) =>
      exactRequest(
        { baseUrl: fake.url, accessToken, breaker },
        { path: '1001/documents/DocumentTypes', action: 'list document types' },
      );
    for (let i = 0; i < 12; i += 1) await rejectsWith(list(`revoked-${i}`), 'auth-expired');
    await list(tokens.accessToken);
    assert.deepEqual(fake.errorBlock(), { maxErrors: 0, blockedCalls: 0 });
  });
});

test('the fake, like Exact, blocks an endpoint for the rest of the hour after 10 errors', async () => {
  await withExact({}, async ({ fake, signIn }) => {
    const tokens = await signIn();
    const post = (body: unknown) =>
      fetch(`${fake.url}/api/v1/1001/documents/Documents`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${tokens.accessToken}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 10; i += 1) assert.equal((await post({ Type: 20 })).status, 400);
    const blocked = await post({ Type: 20, Subject: 'fine' });
    assert.equal(blocked.status, 429);
    assert.match(await blocked.text(), /API key blocked/);
    assert.deepEqual(fake.errorBlock(), { maxErrors: 10, blockedCalls: 1 });
  });
});
