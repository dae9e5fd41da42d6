/*
 * The Zenvoices client against its contract fake: the sign-in's refusal vs outage, the administration
 * list with and without an inbox address.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConnectorError } from '../../connectors/errors';
import { fetchAdministrations, signIn, type ZenvoicesApi } from '../../connectors/zenvoices/client';
import { zenvoicesInbox } from '../../connectors/zenvoices/deliver';
import { startZenvoicesFake, type ZenvoicesFake } from '../fakes/zenvoices';

const USER = {
  tenancyName: 'peeters',
  userNameOrEmailAddress: 'boekhouding@peeters.be',
  password: 'Winter-2026!',
};
const LOGIN = {
  username: USER.userNameOrEmailAddress,
  password: USER.password,
  organisationCode: USER.tenancyName,
};

let fake: ZenvoicesFake;
let api: ZenvoicesApi;
before(async () => {
  fake = await startZenvoicesFake({
    users: [USER],
    administrations: [
      { id: 3195, name: 'Peeters BV', code: 'BV01', emailAddress: '10130.3195@to-zenvoices.com' },
      { id: 3196, name: 'Peeters Vastgoed NV', code: 'NV02' },
    ],
  });
  api = {
    baseUrl: fake.url,
    loginPath: '/api/TokenAuth/TokenLogin',
    administrationsPath: '/public-api/v1/administrations',
    timeoutMs: 5000,
  };
});
after(() => fake?.close());

const kindOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConnectorError, `a ConnectorError, got ${String(error)}`);
  return error;
};

test('a refused sign-in is invalid-credentials with Zenvoices’ words; the password is not quoted', async () => {
  const wrongPassword = await kindOf(signIn(api, { ...LOGIN, password: 'Zomer-2025?' }));
  assert.equal(wrongPassword.kind, 'invalid-credentials');
  assert.equal(
    wrongPassword.message,
    'Zenvoices refused the sign-in: Login failed! Invalid user name or password',
  );
  const wrongTenant = await kindOf(signIn(api, { ...LOGIN, organisationCode: 'janssens' }));
  assert.equal(wrongTenant.kind, 'invalid-credentials');
  assert.match(wrongTenant.message, /no tenant defined with name janssens/);
});

test('an outage is unavailable, not a refusal: a 503 page, an ABP internal error, no answer', async () => {
  fake.failNext('/TokenLogin', 503);
  assert.equal((await kindOf(signIn(api, LOGIN))).kind, 'unavailable');
  fake.failNext(
    '/TokenLogin',
    500,
    JSON.stringify({
      success: false,
      error: { message: 'An internal error occurred during your request!' },
      __abp: true,
    }),
  );
  assert.equal((await kindOf(signIn(api, LOGIN))).kind, 'unavailable');
  const closed = await kindOf(signIn({ ...api, baseUrl: 'http://127.0.0.1:9' }, LOGIN));
  assert.equal(closed.kind, 'unavailable');
});

test('the administrations, with the inbox address where Zenvoices shows one; a stale token is refused', async () => {
  const token = await signIn(api, LOGIN);
  assert.deepEqual(await fetchAdministrations(api, token), [
    { id: '3195', name: 'Peeters BV', code: 'BV01', mailbox: '10130.3195@to-zenvoices.com' },
    { id: '3196', name: 'Peeters Vastgoed NV', code: 'NV02' },
  ]);
  const stale = await kindOf(fetchAdministrations(api, 'not-a-token'));
  assert.equal(stale.kind, 'auth-expired');
});

test('the inbox a delivery mails: the address entered at setup, else the one Zenvoices showed, else misconfigured', () => {
  const shown = {
    administrationIds: ['3195'],
    administrationMailboxes: { '3195': '10130.3195@to-zenvoices.com' },
  };
  assert.equal(zenvoicesInbox(shown), '10130.3195@to-zenvoices.com');
  assert.equal(
    zenvoicesInbox({ ...shown, mailbox: 'inkoop.3195@to-zenvoices.com' }),
    'inkoop.3195@to-zenvoices.com',
  );
  assert.throws(
    () => zenvoicesInbox({ ...shown, administrationIds: ['3196'] }),
    (e: unknown) =>
      e instanceof ConnectorError && e.kind === 'misconfigured' && /@to-zenvoices\.com/.test(e.message),
  );
});
