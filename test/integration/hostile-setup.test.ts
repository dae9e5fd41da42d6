/*
 * Hostile use of the setup API: bad values in every field of every available setup, steps out of
 * order or after the end, the same step sent several times at once, forged OAuth answers. Each is
 * a clear 4xx that stores nothing and leaves the setup where it was; concurrent submissions advance
 * the setup exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { hostileClient } from '../helpers/refusals';
import { startTestRelais, type TestRelais, type TestTenant } from '../helpers/relais';
import { connectSftp } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';
import { tenantRows } from '../helpers/stored-rows';

let dropbox: DropboxFake;
let sshd: SshServer;
let relais: TestRelais;
const { send, refused, post } = hostileClient(() => relais);

before(async () => {
  dropbox = await startDropbox();
  sshd = await startSshServer();
  relais = await startTestRelais(dropboxEnv(dropbox));
});
after(async () => {
  await relais?.close();
  await sshd?.stop();
  await dropbox?.close();
});

interface CatalogueField {
  name: string;
  step: string;
}
interface CatalogueEntry {
  id: string;
  available: boolean;
  steps: string[];
  fields: CatalogueField[];
}

async function availableConnectors(): Promise<CatalogueEntry[]> {
  const catalogue = await relais.api('GET', '/v1/integrations');
  const available = (catalogue.body.integrations as CatalogueEntry[]).filter((entry) => entry.available);
  assert.deepEqual(available.map((entry) => entry.id).sort(), [
    'dropbox',
    'exact-online',
    'onedrive-business',
    'sftp',
  ]);
  return available;
}

async function createConnection(connectorId: string, tenant?: TestTenant): Promise<string> {
  const created = await relais.api(
    'POST',
    '/v1/connections',
    { connectorId, documentType: 'purchase-invoice' },
    tenant ? { tenant } : {},
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.connection.id;
}

const setupOf = async (id: string, tenant?: TestTenant) =>
  (await relais.api('GET', `/v1/connections/${id}`, undefined, tenant ? { tenant } : {})).body.connection
    .setup;

/** A body each step's schema accepts, before any field of the connector is filled in. */
const validStepBody = (step: string): Record<string, unknown> =>
  ({
    format: { format: 'ubl-be-3' },
    credentials: { values: {} },
    oauth: { values: {}, returnUrl: `${relais.url}/setup/done` },
    administration: { administrationIds: 'all', values: {} },
    terms: { accepted: true, termsVersion: '2026-01', acceptedBy: 'hostile@example.test' },
  })[step]!;

/** The step's own body fields, each wrong: [body, the path the 400 must name]. */
const invalidStepBodies = (step: string): [unknown, string][] =>
  (
    ({
      format: [
        [{ format: 'docx' }, 'format'],
        [{ format: 42 }, 'format'],
        [{}, 'format'],
      ],
      credentials: [
        [{ values: 'username=admin' }, 'values'],
        [{ values: ['admin'] }, 'values'],
      ],
      oauth: [
        [{ values: {}, returnUrl: 'not a url' }, 'returnUrl'],
        [{ values: {}, returnUrl: 'https://evil.example/steal' }, 'returnUrl'],
        [{ values: {}, returnUrl: 'javascript:alert(1)' }, 'returnUrl'],
        [{ values: {} }, 'returnUrl'],
      ],
      administration: [
        [{ administrationIds: [], values: {} }, 'administrationIds'],
        [{ administrationIds: 'everything', values: {} }, 'administrationIds'],
        [{ administrationIds: [''], values: {} }, 'administrationIds.0'],
      ],
      terms: [
        [{ accepted: false, termsVersion: '2026-01', acceptedBy: 'x' }, 'accepted'],
        [{ accepted: 'true', termsVersion: '2026-01', acceptedBy: 'x' }, 'accepted'],
        [{ accepted: true, termsVersion: '', acceptedBy: 'x' }, 'termsVersion'],
        [{ accepted: true, termsVersion: '2026-01', acceptedBy: 'x'.repeat(201) }, 'acceptedBy'],
        [{ accepted: true, termsVersion: '2026-01', acceptedBy: 'al\u0000ice' }, 'acceptedBy'],
      ],
    }) as Record<string, [unknown, string][]>
  )[step] ?? [];

/** Values no field may take: not text at all, and far longer than any real value. */
const badValues: unknown[] = [{ $gt: '' }, ['a', 'b'], 'x'.repeat(100_000)];

test('every field of every available setup with a bad value: 400 naming values.<field>, nothing stored', async () => {
  for (const connector of await availableConnectors()) {
    const id = await createConnection(connector.id);
    const before = await setupOf(id);
    const stepPath = (step: string) => `/v1/connections/${id}/steps/${step}`;
    for (const step of connector.steps) {
      for (const [body, path] of invalidStepBodies(step)) {
        const answer = await refused(
          `${connector.id} ${step} ${JSON.stringify(body).slice(0, 80)}`,
          () => post(stepPath(step), JSON.stringify(body)),
          { status: 400, error: 'invalid-request' },
        );
        const paths = answer.body.details.map((detail: { path: string }) => detail.path);
        assert.ok(paths.includes(path), `${connector.id} ${step}: ${path} in ${JSON.stringify(paths)}`);
      }
      if (step !== 'format' && step !== 'terms') {
        const unknown = await refused(
          `${connector.id} ${step}: an unknown field`,
          () => post(stepPath(step), JSON.stringify({ ...validStepBody(step), values: { isAdmin: true } })),
          { status: 400, error: 'invalid-request' },
        );
        assert.deepEqual(unknown.body.details[0], { path: 'values.isAdmin', message: 'Unknown field' });
      }
      for (const field of connector.fields.filter((f) => f.step === step)) {
        for (const bad of badValues) {
          const what = `${connector.id} ${step} ${field.name}=${JSON.stringify(bad).slice(0, 20)}`;
          const answer = await refused(
            what,
            () =>
              post(stepPath(step), JSON.stringify({ ...validStepBody(step), values: { [field.name]: bad } })),
            { status: 400, error: 'invalid-request' },
          );
          const named = answer.body.details.filter(
            (d: { path: string }) => d.path === `values.${field.name}`,
          );
          assert.ok(named.length >= 1, `${what}: ${JSON.stringify(answer.body.details)}`);
          assert.ok(
            named.every(
              (d: { message: string }) => d.message.length > 0 && !d.message.includes('x'.repeat(50)),
            ),
            `${what}: a message that does not echo the value`,
          );
        }
      }
    }
    assert.deepEqual(await setupOf(id), before, `${connector.id}: the setup is where it was`);
  }
});

test('steps out of order, unknown steps and steps after the end: 409 or 400, nothing stored', async () => {
  const credentials = {
    values: { username: sshd.username, password: sshd.password, host: sshd.host, port: sshd.port },
  };
  const valid: Record<string, Record<string, unknown>> = {
    sftp: { credentials, terms: validStepBody('terms') },
    dropbox: { oauth: validStepBody('oauth'), terms: validStepBody('terms') },
    'exact-online': { administration: validStepBody('administration'), terms: validStepBody('terms') },
    'onedrive-business': { oauth: validStepBody('oauth'), terms: validStepBody('terms') },
  };
  for (const connector of await availableConnectors()) {
    const id = await createConnection(connector.id);
    const before = await setupOf(id);
    for (const [step, body] of Object.entries(valid[connector.id]!)) {
      await refused(
        `${connector.id}: ${step} while at ${before.currentStep}`,
        () => post(`/v1/connections/${id}/steps/${step}`, JSON.stringify(body)),
        {
          status: 409,
          error: 'step-not-current',
          message: new RegExp(`current step is "${before.currentStep}"`),
        },
      );
    }
    const missing = ['format', 'credentials', 'oauth', 'administration'].find(
      (step) => !connector.steps.includes(step),
    )!;
    await refused(
      `${connector.id}: ${missing}, which it does not have`,
      () => post(`/v1/connections/${id}/steps/${missing}`, JSON.stringify(validStepBody(missing))),
      { status: 409, error: 'step-not-current' },
    );
    await refused(
      `${connector.id}: a step that does not exist`,
      () => post(`/v1/connections/${id}/steps/activate`, '{}'),
      { status: 400, error: 'invalid-request' },
    );
    assert.deepEqual(await setupOf(id), before, `${connector.id}: the setup is where it was`);
  }
  const active = await connectSftp(relais, sshd, {
    documentType: 'purchase-invoice',
    uploadPath: 'ordered/',
  });
  await refused(
    'a step of a finished setup',
    () => post(`/v1/connections/${active}/steps/terms`, JSON.stringify(validStepBody('terms'))),
    { status: 409, error: 'no-setup-running' },
  );
});

test('the same step sent five times at once advances the setup once, with one authorization', async () => {
  const tenant = await relais.createTenant('Impatient');
  const as = { tenant };
  const id = await createConnection('sftp', tenant);
  const at = (step: string, body: unknown) =>
    Promise.all(
      Array.from({ length: 5 }, () => relais.api('POST', `/v1/connections/${id}/steps/${step}`, body, as)),
    );
  const statusesOf = (answers: { status: number }[]) => answers.map((a) => a.status).sort();

  const formats = await at('format', { format: 'peppol-bis-3' });
  assert.deepEqual(
    statusesOf(formats),
    [200, 409, 409, 409, 409],
    JSON.stringify(formats.map((a) => a.body)),
  );
  const credentials = await at('credentials', {
    values: {
      username: sshd.username,
      password: sshd.password,
      host: sshd.host,
      port: sshd.port,
      uploadPath: 'busy/',
    },
  });
  assert.deepEqual(
    statusesOf(credentials),
    [200, 409, 409, 409, 409],
    JSON.stringify(credentials.map((a) => a.body)),
  );
  for (const answer of credentials.filter((a) => a.status === 409)) {
    assert.match(answer.body.message, /credentials step is already being checked|current step is "terms"/);
  }
  assert.equal((await setupOf(id, tenant)).currentStep, 'terms', 'advanced once: the terms still wait');

  const terms = await at('terms', validStepBody('terms'));
  assert.deepEqual(statusesOf(terms), [200, 409, 409, 409, 409]);
  const connection = (await relais.api('GET', `/v1/connections/${id}`, undefined, as)).body.connection;
  assert.equal(connection.status, 'active');
  assert.equal(connection.settings.format, 'peppol-bis-3');

  const stored = await tenantRows(relais.db.pool, tenant.id);
  assert.equal(stored.authorizations!.length, 1, 'one authorization');
  assert.equal(stored.consents!.length, 1, 'one consent');
  assert.equal(stored.submitted_secrets!.length, 0, 'no submitted password left behind');

  // Dropbox's sign-in step: one OAuth state, not five.
  const dropboxId = await createConnection('dropbox', tenant);
  await relais.api('POST', `/v1/connections/${dropboxId}/steps/format`, { format: 'ubl-be-3' }, as);
  const oauth = await Promise.all(
    Array.from({ length: 5 }, () =>
      relais.api('POST', `/v1/connections/${dropboxId}/steps/oauth`, validStepBody('oauth'), as),
    ),
  );
  const started = oauth.filter((answer) => answer.status === 200);
  assert.ok(started.length >= 1, JSON.stringify(oauth.map((a) => a.body)));
  assert.ok(oauth.every((answer) => answer.status === 200 || answer.status === 409));
  const { rows: states } = await relais.db.pool.query(
    'select id from oauth_states where connection_id = $1',
    [dropboxId],
  );
  assert.equal(states.length, 1, 'one sign-in started');
  assert.equal((await setupOf(dropboxId, tenant)).oauth.startUrl.split('/').pop(), states[0].id);
});

test('forged OAuth answers: a plain 400 page, nothing stored, the real sign-in still possible', async () => {
  const id = await createConnection('dropbox');
  await relais.api('POST', `/v1/connections/${id}/steps/format`, { format: 'ubl-be-3' });
  // Control characters in the return URL are kept percent-encoded, never stored raw.
  const oauth = await relais.api('POST', `/v1/connections/${id}/steps/oauth`, {
    values: {},
    returnUrl: `${relais.url}/setup/done?tab=\u0000\u202e`,
  });
  assert.equal(oauth.status, 200, JSON.stringify(oauth.body));
  const startUrl: string = oauth.body.connection.setup.oauth.startUrl;
  const stateId = startUrl.split('/').pop()!;
  const callback = (query: string, cookie?: string) =>
    send('GET', `/v1/oauth/callback?${query}`, undefined, { headers: cookie ? { cookie } : {} });

  for (const [what, query] of [
    ['no state', 'code=abc'],
    ['an empty state', 'state=&code=abc'],
    ['a made-up state', 'state=forged-state-value&code=abc'],
    ['SQL in the state', `state=${encodeURIComponent("' or '1'='1")}&code=abc`],
    ['a NUL byte', 'state=%00&code=abc'],
    ['a 10,000-character state', `state=${'A'.repeat(10_000)}&code=abc`],
    ['the state twice', `state=${stateId}&state=${stateId}&code=abc`],
    ['the state as an object', `state[id]=${stateId}&code=abc`],
    ['markup in the state', `state=${encodeURIComponent('<script>alert(1)</script>')}`],
  ] as const) {
    const answer = await refused(what, () => callback(query), {
      status: 400,
      message: /does not match any sign-in we started/,
    });
    assert.doesNotMatch(answer.body, /<script>/, `${what}: nothing echoed as markup`);
  }
  for (const [what, cookie] of [
    ['the real state without the browser cookie', undefined],
    ['the real state with a forged cookie', 'relais_oauth=forged'],
    ['the real state with a garbled cookie', 'relais_oauth=%E0%A4%A'],
  ] as const) {
    await refused(what, () => callback(`state=${stateId}&code=abc`, cookie), {
      status: 400,
      message: /started in another browser/,
    });
  }
  await refused('a forged start link', () => send('GET', '/v1/oauth/start/forged-state-value'), {
    status: 400,
    message: /expired or was already used/,
  });

  const { rows } = await relais.db.pool.query('select used_at from oauth_states where id = $1', [stateId]);
  assert.equal(rows[0].used_at, null, 'the real state is still unused');
  const start = await fetch(startUrl, { redirect: 'manual' });
  const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
  const real = new URL(await dropbox.consent(start.headers.get('location')!, 'allow'));
  const completed = await fetch(real, { redirect: 'manual', headers: { cookie } });
  assert.equal(completed.status, 303);
  const back = new URL(completed.headers.get('location')!);
  assert.equal(back.searchParams.get('status'), 'ok');
  assert.equal(back.searchParams.get('tab'), '\u0000\u202e');
  assert.match(back.search, /tab=%00%E2%80%AE/);
});
