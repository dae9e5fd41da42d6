/*
 * The SFTP connector against a real OpenSSH server on loopback (test/helpers/sshd.ts): setup checks,
 * host key pinning and exactly-once delivery, observed on the server's file system.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../platform/free-port';
import { ConnectorError } from '../../connectors/errors';
import sftp from '../../connectors/sftp';
import { deliverToSftp, partFileName } from '../../connectors/sftp/deliver';
import { sftpDescriptor } from '../../connectors/sftp/descriptor';
import type { CredentialCheckResult, DeliveryInput } from '../../connectors/types';
import { startSshServer, type SshServer } from '../helpers/sshd';

// The test server listens on loopback, which the SSRF guard refuses unless the operator allows it.
const testNetwork = { RELAIS_NETWORK_ALLOW: '127.0.0.0/8' };
const config = sftp.configSchema.parse({ SFTP_CONNECT_TIMEOUT_MS: '5000', ...testNetwork });
const connector = sftp.create(config);
const checkCredentials = connector.checkCredentials!;
const deliver = connector.deliver!;

let server: SshServer;
before(async () => {
  server = await startSshServer();
});
after(async () => {
  await server?.stop();
});

function credentialValues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    username: server.username,
    password: server.password,
    host: server.host,
    port: server.port,
    uploadPath: 'Invoice_import/',
    ...overrides,
  };
}

/** A connection set up through checkCredentials, as the setup workflow would store it. */
async function connect(uploadPath: string, target: SshServer = server): Promise<CredentialCheckResult> {
  return checkCredentials({
    values: {
      username: target.username,
      password: target.password,
      host: target.host,
      port: target.port,
      uploadPath,
    },
    settings: {},
  });
}

function deliveryInput(setup: CredentialCheckResult, overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return {
    deliveryId: 'delivery-doc-1-conn-1',
    documentType: 'sales-invoice',
    fileName: '2026-01-31_F2026_0001_3f9a1c2b.xml',
    content: Buffer.from('<Invoice>F2026/0001</Invoice>\n'),
    contentType: 'application/xml',
    pdf: () => Promise.reject(new Error('this target takes no PDF')),
    document: {
      number: 'F2026/0001',
      issueDate: '2026-01-31',
      kind: 'invoice',
      supplierName: 'Acme',
      supplierVat: 'BE0827405743',
      customerName: 'Client',
      customerVat: 'BE0403170701',
    },
    settings: setup.settings,
    credentials: { kind: 'secrets', secrets: setup.secrets },
    ...overrides,
  };
}

async function rejectsWith(promise: Promise<unknown>, kind: ConnectorError['kind'], message?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConnectorError, `expected a ConnectorError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const onServer = (...segments: string[]) => path.join(server.uploadRoot, ...segments);

/** A file as an earlier SFTP session of the test user would have left it (the tests run as root). */
function writeAsSftpUser(file: string, content: string): void {
  writeFileSync(file, content);
  const owner = statSync(server.uploadRoot);
  chownSync(file, owner.uid, owner.gid);
}

describe('setup (checkCredentials)', () => {
  test('a valid password: records the host key OpenSSH shows, creates the folder, leaves no probe file', async () => {
    const result = await checkCredentials({ values: credentialValues(), settings: {} });
    assert.equal(result.settings.hostKeyFingerprint, server.hostKeyFingerprint);
    assert.deepEqual(result.settings, {
      host: '127.0.0.1',
      port: server.port,
      username: server.username,
      uploadPath: 'Invoice_import/',
      hostKeyFingerprint: server.hostKeyFingerprint,
      // Explicitly unset: a confirmation of a new key is spent once the key is recorded.
      trustHostKey: undefined,
    });
    assert.deepEqual(result.secrets, { password: server.password });
    const account = `${server.username}@127.0.0.1:${server.port}`;
    assert.deepEqual(result.account, { id: account, name: account });
    assert.deepEqual(readdirSync(onServer('Invoice_import')), []);
  });

  test('a valid private key, without a password', async () => {
    const result = await checkCredentials({
      values: credentialValues({ password: '', privateKey: server.privateKey, uploadPath: 'by-key/' }),
      settings: {},
    });
    assert.deepEqual(result.secrets, { privateKey: server.privateKey });
    assert.equal(result.settings.hostKeyFingerprint, server.hostKeyFingerprint);
    assert.ok(existsSync(onServer('by-key')));
  });

  test('only the fixed part of a path with variables is created', async () => {
    await checkCredentials({
      values: credentialValues({ uploadPath: 'fixed/part/[year]/[invoice_type]/' }),
      settings: {},
    });
    assert.deepEqual(readdirSync(onServer('fixed')), ['part']);
    assert.deepEqual(readdirSync(onServer('fixed', 'part')), []);
  });

  test('neither password nor key: a plain message, before connecting', async () => {
    await rejectsWith(
      checkCredentials({ values: credentialValues({ password: '' }), settings: {} }),
      'invalid-credentials',
      /^Enter the password of the SSH account, or paste a private key\.$/,
    );
  });

  test('a wrong password: invalid-credentials, and the message holds no password', async () => {
    const wrong = `${server.password}-wrong`;
    await assert.rejects(
      checkCredentials({ values: credentialValues({ password: wrong }), settings: {} }),
      (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'invalid-credentials');
        assert.equal(error.message, 'The SFTP server refused the user name or password/key.');
        assert.ok(!error.message.includes(wrong) && !error.message.includes(server.password));
        return true;
      },
    );
  });

  test('a private key the server does not know (PEM format): invalid-credentials', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await rejectsWith(
      checkCredentials({ values: credentialValues({ password: undefined, privateKey }), settings: {} }),
      'invalid-credentials',
      /refused the user name or password\/key/,
    );
  });

  test('a private key ssh2 cannot read: invalid-credentials, saying what to paste', async () => {
    const garbled = '-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n';
    await rejectsWith(
      checkCredentials({ values: credentialValues({ password: '', privateKey: garbled }), settings: {} }),
      'invalid-credentials',
      /^The private key could not be read: use the whole key in OpenSSH or PEM format, without a passphrase\.$/,
    );
  });

  test('nothing listening on the port: unavailable, naming host and port', async () => {
    const port = await freePort();
    await rejectsWith(
      checkCredentials({ values: credentialValues({ port }), settings: {} }),
      'unavailable',
      new RegExp(
        `127\\.0\\.0\\.1 on port ${port}: the connection was refused\\. Check the host and port\\.$`,
      ),
    );
    // The addresses to allow-list are named only when the operator configured them.
    const withIps = sftp.create(
      sftp.configSchema.parse({ ...testNetwork, RELAIS_OUTBOUND_IPS: '203.0.113.7, 2001:db8::7' }),
    );
    await rejectsWith(
      withIps.checkCredentials!({ values: credentialValues({ port }), settings: {} }),
      'unavailable',
      /the connection was refused\. Check the host and port, and that the server accepts connections from our IP addresses \(203\.0\.113\.7, 2001:db8::7\)\.$/,
    );
    assert.throws(() => sftp.configSchema.parse({ RELAIS_OUTBOUND_IPS: '203.0.113.7,sftp.example.com' }));
  });

  test('a server that never answers: unavailable once the connect timeout passes', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const impatient = sftp.create(
      sftp.configSchema.parse({ SFTP_CONNECT_TIMEOUT_MS: '800', ...testNetwork }),
    );
    const started = Date.now();
    try {
      await rejectsWith(
        impatient.checkCredentials!({ values: credentialValues({ port }), settings: {} }),
        'unavailable',
        /no answer within 1 second\b/,
      );
      assert.ok(Date.now() - started < 5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('the SSRF guard: a non-public host is refused at setup and at delivery, before any connection', async () => {
    const connections: net.Socket[] = [];
    const listener = net.createServer((socket) => {
      connections.push(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const guarded = sftp.create(sftp.configSchema.parse({ SFTP_CONNECT_TIMEOUT_MS: '5000' }));
    try {
      for (const [host, reason] of [
        ['127.0.0.1', /^127\.0\.0\.1 is a loopback address/],
        ['localhost', /^localhost resolves to a loopback address/],
        ['169.254.169.254', /metadata service/],
        ['::ffff:10.0.0.1', /private network address inside an IPv4-mapped IPv6 address/],
      ] as const) {
        await rejectsWith(
          guarded.checkCredentials!({ values: credentialValues({ host, port }), settings: {} }),
          'misconfigured',
          reason,
        );
      }
      // A connection set up while the operator allowed loopback, delivered after the allowance was removed.
      const setup = await connect('guarded/');
      await rejectsWith(guarded.deliver!(deliveryInput(setup)), 'misconfigured', /loopback/);
      assert.equal(connections.length, 0, 'nothing connected to a refused host');
      assert.deepEqual(readdirSync(onServer('guarded')), []);
    } finally {
      listener.close();
    }
  });

  test('a folder the user may not write to: misconfigured', async () => {
    // Owned by root (the test process), read-only for everyone else.
    mkdirSync(onServer('locked'), { mode: 0o555 });
    await rejectsWith(
      checkCredentials({ values: credentialValues({ uploadPath: 'locked/' }), settings: {} }),
      'misconfigured',
      /permission denied\. Choose an upload path this user may write to/,
    );
    await rejectsWith(
      checkCredentials({ values: credentialValues({ uploadPath: 'locked/inbox/' }), settings: {} }),
      'misconfigured',
      /create the folder locked\/inbox: permission denied/,
    );
    assert.deepEqual(readdirSync(onServer('locked')), []);
  });
});

describe('delivery', () => {
  test('twice with the same input: one file, the second call finds it, no .part left', async () => {
    const setup = await connect('twice/');
    const input = deliveryInput(setup);
    const first = await deliver(input);
    assert.deepEqual(first, { remotePath: `twice/${input.fileName}`, alreadyPresent: false });
    const second = await deliver(input);
    assert.deepEqual(second, { remotePath: `twice/${input.fileName}`, alreadyPresent: true });
    assert.deepEqual(readdirSync(onServer('twice')), [input.fileName]);
    assert.deepEqual(readFileSync(onServer('twice', input.fileName)), input.content);
  });

  test('two documents racing for one file name: one lands, the other is refused, nothing is replaced', async () => {
    for (let round = 0; round < 5; round += 1) {
      const setup = await connect(`race-${round}/`);
      const [first, second] = ['A', 'B'].map((which) =>
        deliveryInput(setup, {
          deliveryId: `delivery-doc-${which}-conn-1`,
          content: Buffer.from(`<Invoice>${which}</Invoice>\n`),
        }),
      );
      const outcomes = await Promise.allSettled([deliver(first!), deliver(second!)]);
      const landed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      assert.equal(landed.length, 1, `round ${round}: exactly one delivery lands`);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected');
      assert.ok(refused?.reason instanceof ConnectorError && refused.reason.kind === 'rejected');
      const winner = outcomes[0]!.status === 'fulfilled' ? first! : second!;
      assert.deepEqual(readdirSync(onServer(`race-${round}`)), [winner.fileName], 'no .part left');
      assert.deepEqual(readFileSync(onServer(`race-${round}`, winner.fileName)), winner.content);
    }
  });

  test('a retry after an attempt died between writing and renaming: the file is completed', async () => {
    const setup = await connect('crashed-before-rename/');
    const input = deliveryInput(setup);
    const partName = partFileName(input.fileName, input.deliveryId);
    writeAsSftpUser(onServer('crashed-before-rename', partName), '<Invoice>F20');
    assert.equal((await deliver(input)).alreadyPresent, false);
    assert.deepEqual(readdirSync(onServer('crashed-before-rename')), [input.fileName]);
    assert.deepEqual(readFileSync(onServer('crashed-before-rename', input.fileName)), input.content);
  });

  test('a retry that finds the file delivered also removes its own leftover temp file', async () => {
    const setup = await connect('leftover/');
    const input = deliveryInput(setup);
    await deliver(input);
    const partName = partFileName(input.fileName, input.deliveryId);
    writeAsSftpUser(onServer('leftover', partName), '<Invoice>F20');
    assert.equal((await deliver(input)).alreadyPresent, true);
    assert.deepEqual(readdirSync(onServer('leftover')), [input.fileName]);
  });

  test('another file with the same name is never overwritten', async () => {
    const setup = await connect('taken/');
    const input = deliveryInput(setup);
    writeFileSync(onServer('taken', input.fileName), 'the customer’s own file');
    await rejectsWith(deliver(input), 'rejected', /already exists on the SFTP server at taken\//);
    assert.equal(readFileSync(onServer('taken', input.fileName), 'utf8'), 'the customer’s own file');
  });

  test('file names with "/" or ".." are refused before anything is written', async () => {
    const setup = await connect('names/');
    for (const fileName of ['../escape.xml', 'sub/dir.xml', '..', 'a\\b.xml']) {
      await rejectsWith(deliver(deliveryInput(setup, { fileName })), 'rejected', /must not contain/);
    }
    assert.deepEqual(readdirSync(onServer('names')), []);
    assert.ok(!existsSync(onServer('escape.xml')));
  });

  test('variables in the path are filled in per document', async () => {
    const setup = await connect('vars/[uen_number]/[invoice_type]/[year]/');
    const sale = await deliver(deliveryInput(setup));
    assert.equal(sale.remotePath, 'vars/0827405743/sales/2026/2026-01-31_F2026_0001_3f9a1c2b.xml');
    const purchase = await deliver(
      deliveryInput(setup, { documentType: 'purchase-invoice', deliveryId: 'delivery-doc-2-conn-1' }),
    );
    assert.equal(purchase.remotePath, 'vars/0403170701/purchases/2026/2026-01-31_F2026_0001_3f9a1c2b.xml');
    assert.ok(
      existsSync(onServer('vars', '0827405743', 'sales', '2026', '2026-01-31_F2026_0001_3f9a1c2b.xml')),
    );
    assert.ok(
      existsSync(onServer('vars', '0403170701', 'purchases', '2026', '2026-01-31_F2026_0001_3f9a1c2b.xml')),
    );
  });

  test('[external_id] comes from the tenant company; without one the delivery says what is missing', async () => {
    const setup = await connect('ext/[external_id]/');
    const input: DeliveryInput = { ...deliveryInput(setup), company: { externalId: 'CLIENT-42' } };
    const receipt = await deliverToSftp(input, {
      connectTimeoutMs: config.SFTP_CONNECT_TIMEOUT_MS,
      networkPolicy: config.RELAIS_NETWORK_ALLOW,
      outboundIps: config.RELAIS_OUTBOUND_IPS,
    });
    assert.equal(receipt.remotePath, `ext/CLIENT-42/${input.fileName}`);
    await rejectsWith(
      deliver(deliveryInput(setup)),
      'misconfigured',
      /uses \[external_id\], but this company has no/,
    );
  });

  test('a file name in Unicode arrives intact', async () => {
    const setup = await connect('unicode/');
    const fileName = '2026-01-31_Facture_Ünïcödé_東京_€_Ωmega.xml';
    const input = deliveryInput(setup, { fileName });
    await deliver(input);
    assert.deepEqual(readdirSync(onServer('unicode')), [fileName]);
    assert.deepEqual(readFileSync(onServer('unicode', fileName)), input.content);
  });

  test('a password changed since setup: the connection needs new credentials', async () => {
    const setup = await connect('changed/');
    const input = deliveryInput(setup, { credentials: { kind: 'secrets', secrets: { password: 'not-it' } } });
    await rejectsWith(deliver(input), 'auth-expired', /Enter the current credentials to reconnect/);
  });
});

describe('session reuse', () => {
  const logins = () => (server.log().match(/Accepted (password|publickey) for /g) ?? []).length;

  test('deliveries in a row share one SSH login; one the server dropped while idle is replaced, the delivery lands', async () => {
    const setup = await connect('reuse/');
    const before = logins();
    for (const n of [1, 2, 3]) {
      const input = deliveryInput(setup, { deliveryId: `reuse-${n}`, fileName: `reuse-${n}.xml` });
      assert.equal((await deliver(input)).alreadyPresent, false);
    }
    // At most one: a session an earlier test left idle (same server and credentials) may serve all three.
    assert.ok(logins() - before <= 1, `three deliveries, ${logins() - before} logins`);
    const beforeDrop = logins();

    // The server ends the idle session (a restart, an idle timeout): the user's session processes die.
    spawnSync('pkill', ['-KILL', '-u', server.username]);
    const input = deliveryInput(setup, { deliveryId: 'reuse-4', fileName: 'reuse-4.xml' });
    assert.deepEqual(await deliver(input), { remotePath: 'reuse/reuse-4.xml', alreadyPresent: false });
    assert.equal(logins() - beforeDrop, 1, 'a fresh login replaced the dropped session');
    assert.deepEqual(readdirSync(onServer('reuse')).sort(), [
      'reuse-1.xml',
      'reuse-2.xml',
      'reuse-3.xml',
      'reuse-4.xml',
    ]);
  });

  test('other credentials never get a session opened with earlier ones', async () => {
    const setup = await connect('reuse-credentials/');
    await deliver(deliveryInput(setup, { deliveryId: 'cred-1', fileName: 'cred-1.xml' }));
    const wrong = deliveryInput(setup, {
      deliveryId: 'cred-2',
      fileName: 'cred-2.xml',
      credentials: { kind: 'secrets', secrets: { ...setup.secrets, password: 'not-the-password' } },
    });
    await rejectsWith(deliver(wrong), 'auth-expired');
    assert.deepEqual(readdirSync(onServer('reuse-credentials')), ['cred-1.xml']);
  });
});

describe('host key pinning', () => {
  let rotating: SshServer;
  before(async () => {
    // A second server at the same time, with an RSA key: the fingerprint must match OpenSSH's for it too.
    rotating = await startSshServer({ hostKeyType: 'rsa' });
  });
  after(async () => {
    await rotating?.stop();
  });

  test('a changed host key stops deliveries, naming both keys, and reconnecting trusts the new one', async () => {
    const setup = await connect('pinned/', rotating);
    const oldKey = rotating.hostKeyFingerprint;
    assert.equal(setup.settings.hostKeyFingerprint, oldKey);
    const newKey = await rotating.rotateHostKey();
    assert.notEqual(newKey, oldKey);

    const input = deliveryInput(setup);
    await assert.rejects(deliver(input), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.kind, 'misconfigured');
      assert.equal(
        error.message,
        `The SFTP server's host key has changed (was ${oldKey}, now ${newKey}). If the server was reinstalled, ` +
          `reconnect and enter ${newKey} as the trusted host key; otherwise contact your server administrator.`,
      );
      return true;
    });
    assert.deepEqual(readdirSync(path.join(rotating.uploadRoot, 'pinned')), []);
    // The refused handshake ended before authentication: the restarted sshd saw no login attempt.
    assert.doesNotMatch(rotating.log(), /Accepted|Failed|Postponed/);

    // Checking the same server again (re-authorization) refuses the new key too, until the user confirms it.
    const recheck = (values: Record<string, unknown> = {}) =>
      checkCredentials({
        values: {
          username: rotating.username,
          password: rotating.password,
          host: rotating.host,
          port: rotating.port,
          uploadPath: 'pinned/',
          ...values,
        },
        settings: setup.settings,
      });
    await assert.rejects(
      recheck(),
      (error) => error instanceof ConnectorError && error.kind === 'misconfigured',
    );
    await assert.rejects(
      recheck({ trustHostKey: oldKey }),
      (error) => error instanceof ConnectorError && error.kind === 'misconfigured',
    );
    const again = await recheck({ trustHostKey: newKey });
    assert.equal(again.settings.hostKeyFingerprint, newKey);
    assert.equal((await deliver(deliveryInput(again))).alreadyPresent, false);
  });
});

describe('form fields', () => {
  const field = (name: string) => sftpDescriptor.fields.find((candidate) => candidate.name === name)!;

  test('upload path: default when empty, variables known, no way out of the user folder', () => {
    const schema = field('uploadPath').schema;
    assert.equal(schema.parse(''), 'Invoice_import/');
    assert.equal(schema.parse(' out/[uen_number]/[year] '), 'out/[uen_number]/[year]');
    const problem = (value: string) => schema.safeParse(value).error?.issues[0]?.message;
    assert.match(problem('../elsewhere/')!, /cannot go up a folder/);
    assert.match(problem('in/../../etc')!, /cannot go up a folder/);
    assert.match(problem('/etc/')!, /without a leading \//);
    assert.match(problem('~root/')!, /without a leading \/ or ~/);
    assert.match(problem('in/[month]/')!, /Unknown variable \[month\]/);
    assert.match(problem('in/[year/')!, /Square brackets are only for the variables/);
  });

  test('host: a bare host name or IP address', () => {
    const schema = field('host').schema;
    for (const host of ['sftp.example.com', '192.0.2.10', '2001:db8::1', 'files-01.example.be']) {
      assert.ok(schema.safeParse(host).success, host);
    }
    const problem = (value: string) => schema.safeParse(value).error?.issues[0]?.message;
    assert.match(problem('sftp://sftp.example.com')!, /without sftp:\/\//);
    assert.match(problem('sftp.example.com/upload')!, /without a folder/);
    assert.match(problem('sftp.example.com:2222')!, /port number goes in the Port field/);
    assert.match(problem('')!, /Enter the host name/);
  });

  test('port: 1 to 65535', () => {
    const schema = field('port').schema;
    assert.equal(schema.parse('2222'), 2222);
    assert.equal(schema.safeParse(0).success, false);
    assert.equal(schema.safeParse(65_536).success, false);
  });

  test('private key: the whole key, without a passphrase', () => {
    const schema = field('privateKey').schema;
    assert.equal(schema.parse(''), undefined);
    assert.equal(schema.parse(server.privateKey), server.privateKey);
    assert.match(
      schema.safeParse('ssh-ed25519 AAAAC3Nz... me@laptop').error!.issues[0]!.message,
      /whole private key/,
    );
  });
});
