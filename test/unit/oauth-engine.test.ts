import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, before, beforeEach, test } from 'node:test';
import { dropboxDescriptor } from '../../connectors/dropbox/descriptor';
import { ConnectorError, type ConnectorErrorKind } from '../../connectors/errors';
import type { OAuthProviderDeclaration } from '../../connectors/shared/oauth/declaration';
import { defineOAuthProvider } from '../../connectors/shared/oauth/engine';

/**
 * The engine against a tiny real token endpoint on 127.0.0.1: each test scripts what the endpoint
 * answers and reads what it received (the form, the headers).
 */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}
interface Received {
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
}

let server: Server;
let tokenUrl: string;
let answer: Answer;
let received: Received[];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        headers: req.headers,
      });
      const body = answer.json === undefined ? (answer.text ?? '') : JSON.stringify(answer.json);
      res.writeHead(answer.status ?? 200, {
        'content-type': answer.json === undefined ? 'text/html' : 'application/json',
        ...answer.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  answer = {
    json: { access_token: 'access-1', token_type: 'bearer', expires_in: 3600, refresh_token: 'refresh-1' },
  };
});

const redirectUri = 'https://relais.example.test/v1/oauth/callback';

/** A provider shaped like Microsoft's identity platform: PKCE, rotating refresh tokens, AADSTS codes. */
function provider(overrides: Partial<OAuthProviderDeclaration> = {}) {
  return defineOAuthProvider({
    descriptor: {
      ...dropboxDescriptor,
      oauth: { pkce: true, scopes: ['Files.ReadWrite', 'offline_access'], sharedAuthorization: false },
    },
    name: 'Example',
    authorizeUrl: (settings) => `https://login.example.test/${String(settings.tenant)}/authorize`,
    tokenUrl: () => tokenUrl,
    client: () => ({ clientId: 'relais-app', clientSecret: 'app-secret' }),
    clientAuth: 'client_secret_post',
    clientVariables: 'EXAMPLE_CLIENT_ID and EXAMPLE_CLIENT_SECRET',
    extraAuthorizeParams: { prompt: 'select_account' },
    extraTokenParams: { scope: 'Files.ReadWrite offline_access' },
    rotation: 'rotating',
    reauthErrors: [
      {
        error: 'invalid_grant',
        description: /AADSTS(700082|50173|70043)/,
        meaning: 'the sign-in expired or was revoked',
      },
    ],
    misconfiguredErrors: [{ status: 401, error: 'invalid_client' }],
    retryLaterErrors: [{ header: { name: 'Reason', value: /^TooEarly/ }, retryAfterMs: 30_000 }],
    account: async () => ({ id: 'user-1', name: 'User One' }),
    ...overrides,
  });
}

async function rejectsWith(promise: Promise<unknown>, kind: ConnectorErrorKind): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `a ConnectorError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a ${kind} ConnectorError`);
}

test('the authorization URL carries the state, the scopes, an S256 challenge and the extra parameters', async () => {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(
    provider().authorizationUrl({
      state: 'state-42',
      redirectUri,
      codeChallenge: challenge,
      settings: { tenant: 'organizations' },
    }),
  );
  assert.equal(`${url.origin}${url.pathname}`, 'https://login.example.test/organizations/authorize');
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('client_id'), 'relais-app');
  assert.equal(url.searchParams.get('redirect_uri'), redirectUri);
  assert.equal(url.searchParams.get('state'), 'state-42');
  assert.equal(url.searchParams.get('scope'), 'Files.ReadWrite offline_access');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('prompt'), 'select_account');

  await provider().exchangeCode({ code: 'code-1', redirectUri, codeVerifier: verifier, settings: {} });
  const [request] = received;
  assert.ok(request);
  const sent = request.form.get('code_verifier') ?? '';
  assert.equal(createHash('sha256').update(sent).digest('base64url'), url.searchParams.get('code_challenge'));
  assert.equal(request.form.get('grant_type'), 'authorization_code');
  assert.equal(request.form.get('code'), 'code-1');
  assert.equal(request.form.get('redirect_uri'), redirectUri);
  assert.equal(request.form.get('client_id'), 'relais-app');
  assert.equal(request.form.get('client_secret'), 'app-secret');
  assert.equal(request.form.get('scope'), 'Files.ReadWrite offline_access');
});

test('scopes that depend on the settings go on the authorization URL and, declared so, on both token requests', async () => {
  const bySettings = provider({
    extraTokenParams: { resource: 'files' },
    scopes: (settings) => (settings.wide ? ['Files.ReadWrite.All', 'offline_access'] : ['Files.ReadWrite']),
    scopeOnTokenRequests: true,
  });
  const link = (settings: Record<string, unknown>) =>
    new URL(
      bySettings.authorizationUrl({ state: 's', redirectUri, codeChallenge: 'c'.repeat(43), settings }),
    ).searchParams.get('scope');
  assert.equal(link({ wide: true }), 'Files.ReadWrite.All offline_access');
  assert.equal(link({}), 'Files.ReadWrite');

  await bySettings.exchangeCode({
    code: 'code-1',
    redirectUri,
    codeVerifier: 'v'.repeat(43),
    settings: { wide: true },
  });
  await bySettings.refresh({ refreshToken: 'refresh-0', settings: {} });
  assert.deepEqual(
    received.map((r) => [r.form.get('grant_type'), r.form.get('scope'), r.form.get('resource')]),
    [
      ['authorization_code', 'Files.ReadWrite.All offline_access', 'files'],
      ['refresh_token', 'Files.ReadWrite', 'files'],
    ],
  );

  // Without the flag, no scope is sent to the token endpoint.
  await provider({ extraTokenParams: {}, scopes: () => ['x'] }).refresh({ refreshToken: 'r', settings: {} });
  assert.equal(received.at(-1)!.form.get('scope'), null);
});

test('a provider with PKCE refuses to build a link without a challenge', () => {
  assert.throws(() => provider().authorizationUrl({ state: 's', redirectUri, settings: {} }), /PKCE/);
});

test('client_secret_basic sends the secret in the Authorization header, a missing secret makes a public client', async () => {
  answer = { json: { access_token: 'a', token_type: 'Bearer', refresh_token: 'r' } };
  await provider({ clientAuth: 'client_secret_basic' }).refresh({ refreshToken: 'r0', settings: {} });
  await provider({ client: () => ({ clientId: 'relais-app' }) }).refresh({
    refreshToken: 'r0',
    settings: {},
  });
  const [basic, publicClient] = received;
  // RFC 6749 §2.3.1: id and secret are form-encoded before Base64.
  const basicCredentials = /^Basic (.+)$/.exec(basic?.headers.authorization ?? '')?.[1] ?? '';
  const [id, secret] = Buffer.from(basicCredentials, 'base64').toString().split(':').map(decodeURIComponent);
  assert.deepEqual([id, secret], ['relais-app', 'app-secret']);
  assert.equal(basic?.form.get('client_secret'), null);
  assert.equal(publicClient?.headers.authorization, undefined);
  assert.equal(publicClient?.form.get('client_id'), 'relais-app');
  assert.equal(publicClient?.form.get('client_secret'), null);
});

test('rotating refresh tokens: the new one is returned; kept ones survive an answer without one', async () => {
  answer = {
    json: { access_token: 'access-2', token_type: 'bearer', expires_in: 600, refresh_token: 'refresh-2' },
  };
  const before = Date.now();
  const rotated = await provider().refresh({ refreshToken: 'refresh-1', settings: {} });
  assert.equal(received[0]?.form.get('grant_type'), 'refresh_token');
  assert.equal(received[0]?.form.get('refresh_token'), 'refresh-1');
  assert.equal(received[0]?.form.get('scope'), 'Files.ReadWrite offline_access');
  assert.equal(rotated.accessToken, 'access-2');
  assert.equal(rotated.refreshToken, 'refresh-2');
  const expiresAt = Date.parse(rotated.expiresAt ?? '');
  assert.ok(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000, rotated.expiresAt);
  assert.ok(Date.parse(rotated.issuedAt ?? '') >= before, rotated.issuedAt);

  answer = { json: { access_token: 'access-3', token_type: 'bearer', expires_in: 600 } };
  const kept = await provider({ rotation: 'kept' }).refresh({ refreshToken: 'refresh-1', settings: {} });
  assert.equal(kept.refreshToken, 'refresh-1');
  // A rotating provider that answers without a new refresh token leaves nothing to renew with.
  await rejectsWith(provider().refresh({ refreshToken: 'refresh-1', settings: {} }), 'unavailable');
});

test('expires_in as a string (Exact\'s "600") and the granted scopes are read', async () => {
  answer = {
    json: { access_token: 'a', token_type: 'bearer', expires_in: '600', refresh_token: 'r', scope: 'a b' },
  };
  const tokens = await provider().exchangeCode({
    code: 'c',
    redirectUri,
    codeVerifier: 'v'.repeat(43),
    settings: {},
  });
  const lifetime = Date.parse(tokens.expiresAt ?? '') - Date.parse(tokens.issuedAt ?? '');
  assert.ok(lifetime > 590_000 && lifetime <= 600_000, String(lifetime));
  assert.deepEqual(tokens.scopes, ['a', 'b']);
});

test('each declared token refusal and each default gets its kind', async () => {
  const refresh = () => provider().refresh({ refreshToken: 'secret-refresh-token', settings: {} });
  const exchange = () =>
    provider().exchangeCode({ code: 'c', redirectUri, codeVerifier: 'v'.repeat(43), settings: {} });
  const oauthError = (
    status: number,
    error: string,
    description?: string,
    headers?: Record<string, string>,
  ) => {
    answer = { status, json: { error, ...(description ? { error_description: description } : {}) }, headers };
  };

  oauthError(400, 'invalid_grant', 'AADSTS50173: The provided grant has expired due to it being revoked.');
  const revoked = await rejectsWith(refresh(), 'auth-expired');
  assert.match(revoked.message, /the sign-in expired or was revoked\. Sign in to Example again/);
  assert.doesNotMatch(revoked.message, /secret-refresh-token/);
  assert.equal((await rejectsWith(exchange(), 'invalid-credentials')).status, 400);

  oauthError(400, 'invalid_grant', 'AADSTS9002313: Invalid request.');
  await rejectsWith(refresh(), 'auth-expired'); // the RFC 6749 default for invalid_grant

  oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
  assert.match((await rejectsWith(refresh(), 'misconfigured')).message, /EXAMPLE_CLIENT_SECRET/);
  oauthError(400, 'unsupported_grant_type');
  await rejectsWith(exchange(), 'misconfigured');

  oauthError(400, 'access_denied', 'Rate limit exceeded', { Reason: 'TooEarlyToRefreshTokens: wait' });
  assert.equal((await rejectsWith(refresh(), 'rate-limited')).retryAfterMs, 30_000);

  oauthError(400, 'temporarily_odd');
  await rejectsWith(refresh(), 'auth-expired'); // unknown at renewal: the grant cannot be used

  answer = { status: 429, json: { error: 'slow_down' }, headers: { 'Retry-After': '7' } };
  assert.equal((await rejectsWith(refresh(), 'rate-limited')).retryAfterMs, 7000);
  answer = { status: 503, text: '<html><body>Service Unavailable</body></html>' };
  await rejectsWith(refresh(), 'unavailable');
  answer = { status: 400, text: '<html>Bad Request</html>' };
  await rejectsWith(refresh(), 'auth-expired');
});

test('an answer that is not a token response is retried, never taken as tokens', async () => {
  answer = { json: { access_token: 'a' } }; // no token_type
  await rejectsWith(provider().refresh({ refreshToken: 'r', settings: {} }), 'unavailable');
  answer = {
    json: { access_token: 'secret-access-token', token_type: 'mac', refresh_token: 'secret-refresh' },
  };
  const odd = await rejectsWith(provider().refresh({ refreshToken: 'r', settings: {} }), 'unavailable');
  // The whole error as a logger would print it, causes included.
  assert.doesNotMatch(inspect(odd, { depth: 10 }), /secret-/);
  answer = { json: { access_token: 'a', token_type: 'bearer', expires_in: 'soon', refresh_token: 'r' } };
  await rejectsWith(provider().refresh({ refreshToken: 'r', settings: {} }), 'unavailable');
});

test('plain http is allowed only to this machine; a real token URL must be https', async () => {
  const remote = provider({ tokenUrl: () => 'http://login.example.test/token' });
  const refused = await rejectsWith(remote.refresh({ refreshToken: 'r', settings: {} }), 'misconfigured');
  assert.match(refused.message, /HTTPS/);
  assert.equal(received.length, 0, 'nothing was sent in the clear');
});

test('a connection without a refresh token must sign in again; nothing is sent', async () => {
  await rejectsWith(provider().refresh({ refreshToken: '', settings: {} }), 'auth-expired');
  assert.equal(received.length, 0);
});

test('a token endpoint that cannot be reached is unavailable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const gone = provider({ tokenUrl: () => `http://127.0.0.1:${port}/token` });
  await rejectsWith(gone.refresh({ refreshToken: 'r', settings: {} }), 'unavailable');
});
