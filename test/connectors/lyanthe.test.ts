/*
 * The Lyanthe client against its contract fake (the assumed login and administration list), and the
 * mailroom address and subject a delivery uses.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConnectorError } from '../../connectors/errors';
import { fetchAdministrations, signIn, type LyantheApi } from '../../connectors/lyanthe/client';
import { mailroomAddress, mailroomSubject } from '../../connectors/lyanthe/mailroom';
import { startLyantheFake, type LyantheFake } from '../fakes/lyanthe';

const USER = { username: 'an.janssens@kantoor.be', password: 'correct horse battery staple' };

let fake: LyantheFake;
let api: LyantheApi;
before(async () => {
  fake = await startLyantheFake({
    user: USER,
    organisation: { name: 'Kantoor Janssens', mailDomain: 'Kantoor-Janssens.lyanthe.example' },
    administrations: [
      { id: 'adm-1', name: 'Bakkerij Claes BV', mailroomNumber: '0412345678' },
      { id: 'adm-9', name: 'Half set up', mailroomNumber: '12345' },
    ],
  });
  api = {
    baseUrl: fake.url,
    loginPath: '/api/v1/sessions',
    administrationsPath: '/api/v1/administrations',
    timeoutMs: 5000,
  };
});
after(() => fake?.close());

test('sign-in: refused with Lyanthe’s message; accepted gives the token and the mail domain', async () => {
  const refused = await signIn(api, { ...USER, password: 'wrong horse' }).catch((e: unknown) => e);
  assert.ok(refused instanceof ConnectorError);
  assert.equal(refused.kind, 'invalid-credentials');
  assert.equal(refused.message, 'Lyanthe refused the sign-in: Unknown user name or wrong password');
  const session = await signIn(api, USER);
  assert.equal(session.mailDomain, 'kantoor-janssens.lyanthe.example');
  assert.deepEqual(await fetchAdministrations(api, session), [
    { id: 'adm-1', name: 'Bakkerij Claes BV', mailroomNumber: '0412345678' },
  ]);
  const stale = await fetchAdministrations(api, { ...session, token: 'expired' }).catch((e: unknown) => e);
  assert.ok(stale instanceof ConnectorError && stale.kind === 'auth-expired');
});

test('the mailroom address carries the flow of the document type; #RB marks a credit note', () => {
  const settings = {
    administrationIds: ['adm-1'],
    administrationMailrooms: { 'adm-1': '0412345678' },
    mailDomain: 'kantoor-janssens.lyanthe.example',
  };
  assert.equal(
    mailroomAddress(settings, 'purchase-invoice'),
    '0412345678-99p@kantoor-janssens.lyanthe.example',
  );
  assert.equal(mailroomAddress(settings, 'sales-invoice'), '0412345678-99s@kantoor-janssens.lyanthe.example');
  assert.throws(
    () => mailroomAddress({ ...settings, administrationIds: ['adm-2'] }, 'sales-invoice'),
    (e: unknown) => e instanceof ConnectorError && e.kind === 'misconfigured',
  );
  const document = {
    number: 'CN-7',
    issueDate: '2026-11-30',
    supplierName: 'Claes BV',
    customerName: 'Garage Wouters',
  };
  assert.match(mailroomSubject({ ...document, kind: 'credit-note' }), /^#RB /);
  assert.doesNotMatch(mailroomSubject({ ...document, kind: 'invoice' }), /#RB/);
});
