/*
 * The sandbox SFTP server `npm start` runs with RELAIS_SANDBOX_SFTP=true, driven by the real SFTP
 * connector: the setup check and a delivery land files in its folder, it survives a restart without
 * breaking the pinned host key or the stored password, and it never lets a path out of its folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import SftpClient from 'ssh2-sftp-client';
import sftp from '../../connectors/sftp';
import { ConnectorError } from '../../connectors/errors';
import { loadConfig } from '../../platform/config';
import { freePort } from '../../platform/free-port';
import { startSandboxSftp, type SandboxSftp } from '../../platform/sandbox-sftp';

// The sandbox listens on loopback, which the SSRF guard refuses unless allowed (as npm start does).
const connector = sftp.create(
  sftp.configSchema.parse({ SFTP_CONNECT_TIMEOUT_MS: '5000', RELAIS_NETWORK_ALLOW: '127.0.0.1' }),
);

let dataDir: string;
let port: number;
let sandbox: SandboxSftp;
before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'relais-sandbox-'));
  port = await freePort();
  sandbox = await startSandboxSftp({ dataDir, port });
});
after(async () => {
  await sandbox?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const values = (overrides: Record<string, unknown> = {}) => ({
  host: sandbox.host,
  port: sandbox.port,
  username: sandbox.username,
  password: sandbox.password,
  uploadPath: 'Invoice_import/[year]/',
  ...overrides,
});

test('the SFTP connector sets up and delivers into the sandbox folder, and again after a restart', async () => {
  const setup = await connector.checkCredentials!({ values: values(), settings: {} });
  assert.match(String(setup.settings.hostKeyFingerprint), /^SHA256:/);
  assert.deepEqual(readdirSync(path.join(sandbox.folder, 'Invoice_import')), []);

  const deliver = (fileName: string) =>
    connector.deliver!({
      deliveryId: `delivery-${fileName}`,
      documentType: 'purchase-invoice',
      fileName,
      content: Buffer.from(`<Invoice>${fileName}</Invoice>\n`),
      pdf: () => Promise.reject(new Error('SFTP takes no PDF')),
      contentType: 'application/xml',
      document: {
        number: fileName,
        issueDate: '2026-02-03',
        kind: 'invoice',
        supplierName: 'Acme',
        customerName: 'Client',
      },
      settings: setup.settings,
      credentials: { kind: 'secrets', secrets: setup.secrets },
    });
  const receipt = await deliver('first.xml');
  assert.equal(receipt.remotePath, 'Invoice_import/2026/first.xml');
  assert.equal(
    readFileSync(path.join(sandbox.folder, 'Invoice_import', '2026', 'first.xml'), 'utf8'),
    '<Invoice>first.xml</Invoice>\n',
  );
  assert.equal((await deliver('first.xml')).alreadyPresent, true);

  // The connection keeps the pinned host key and the password: a restarted sandbox must match both.
  const password = sandbox.password;
  await sandbox.stop();
  sandbox = await startSandboxSftp({ dataDir, port });
  assert.equal(sandbox.password, password);
  await deliver('second.xml');
  assert.deepEqual(readdirSync(path.join(sandbox.folder, 'Invoice_import', '2026')), [
    'first.xml',
    'second.xml',
  ]);
});

test('a wrong password is refused the way a real server refuses it', async () => {
  await assert.rejects(
    connector.checkCredentials!({ values: values({ password: 'not-the-password' }), settings: {} }),
    (error: unknown) => error instanceof ConnectorError && error.kind === 'invalid-credentials',
  );
});

test('paths cannot leave the sandbox folder', async () => {
  const client = new SftpClient();
  await client.connect({
    host: sandbox.host,
    port: sandbox.port,
    username: sandbox.username,
    password: sandbox.password,
  });
  try {
    await client.put(Buffer.from('escape attempt\n'), '../../outside.txt');
    assert.equal(existsSync(path.join(dataDir, 'outside.txt')), false);
    assert.equal(existsSync(path.join(sandbox.folder, 'outside.txt')), true);
    assert.equal(await client.realPath('../..'), '/');
  } finally {
    await client.end();
  }
});

test('the configuration refuses the sandbox in production', () => {
  assert.equal(loadConfig({}).RELAIS_SANDBOX_SFTP, false);
  assert.equal(loadConfig({ RELAIS_SANDBOX_SFTP: 'true' }).RELAIS_SANDBOX_SFTP, true);
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production', RELAIS_SANDBOX_SFTP: 'true', RELAIS_MASTER_KEY: 'x' }),
    /RELAIS_SANDBOX_SFTP="true": the sandbox SFTP server is for trying Relais locally/,
  );
});
