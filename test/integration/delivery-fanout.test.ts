import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CUSTOMIZATION_ID, parseUbl } from '../../documents';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { connectSftp, listFiles } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';

let dropbox: DropboxFake;
let sshd: SshServer;
let relais: TestRelais;
const connections = { sftp: '', dropboxPurchases: '', dropboxSales: '' };

before(async () => {
  [dropbox, sshd] = await Promise.all([startDropbox(), startSshServer()]);
  relais = await startTestRelais(dropboxEnv(dropbox));
  connections.sftp = await connectSftp(relais, sshd, {
    documentType: 'purchase-invoice',
    uploadPath: 'Invoice_import/[invoice_type]/[year]/',
  });
  connections.dropboxPurchases = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  connections.dropboxSales = await connectDropbox(relais, dropbox, { documentType: 'sales-invoice' });
});
after(async () => {
  await relais?.close();
  await Promise.all([dropbox?.close(), sshd?.stop()]);
});

/** The file Relais delivers is the UBL.BE (e-FFF 3.0) rendering of the invoice, PDF included. */
function assertUblBeInvoice(bytes: Buffer, number: string) {
  const delivered = parseUbl(bytes);
  assert.equal(delivered.flavour, 'ubl-be-3');
  assert.equal(delivered.customizationId, CUSTOMIZATION_ID['ubl-be-3']);
  assert.equal(delivered.kind, 'invoice');
  assert.equal(delivered.number, number);
  assert.equal(delivered.issueDate, '2018-04-09');
  assert.equal(delivered.totals.payable, '484');
  assert.equal(delivered.pdf?.mimeCode, 'application/pdf', 'the PDF travels with the invoice');
}

test('a purchase invoice fans out to the SFTP and Dropbox connections of its type, once each', async () => {
  const accepted = await acceptDocument(relais, ublBeInvoice(), { documentType: 'purchase-invoice' });
  assert.equal(accepted.duplicate, false);
  assert.equal(accepted.number, 'V01/15000001');
  assert.deepEqual(
    accepted.deliveries.map((d: { connectionId: string }) => d.connectionId).sort(),
    [connections.sftp, connections.dropboxPurchases].sort(),
    'one delivery per active purchase-invoice connection, none to the sales-invoice one',
  );
  const byConnector = Object.fromEntries(
    accepted.deliveries.map((d: { connectorId: string; id: string }) => [d.connectorId, d.id]),
  );
  const [toDropbox, toSftp] = await Promise.all([
    waitForStatus(relais, byConnector.dropbox, 'delivered'),
    waitForStatus(relais, byConnector.sftp, 'delivered'),
  ]);

  const fileName = `2018-04-09_V01_15000001_${accepted.documentId.slice(0, 8)}.xml`;
  const dropboxPath = `/Invoice_import/My Customer Company_BE0000000295/AP/${fileName}`;
  assert.deepEqual([...dropbox.files.keys()], [dropboxPath], 'exactly one file in Dropbox, at the AP path');
  const dropboxFile = dropbox.files.get(dropboxPath)!;
  assertUblBeInvoice(dropboxFile.bytes, 'V01/15000001');

  const sftpPath = `Invoice_import/purchases/2018/${fileName}`;
  assert.deepEqual(await listFiles(sshd.uploadRoot), [sftpPath], 'exactly one file on the SFTP server');
  const sftpBytes = await readFile(path.join(sshd.uploadRoot, sftpPath));
  assert.ok(sftpBytes.equals(dropboxFile.bytes), 'both targets receive the same rendering');

  assert.equal(toDropbox.attempts, 1);
  assert.equal(toDropbox.runs, 1);
  assert.equal(toDropbox.lastError, null);
  assert.ok(toDropbox.deliveredAt);
  assert.equal(toDropbox.receipt.remotePath, dropboxPath);
  assert.equal(toDropbox.receipt.remoteId, dropboxFile.id);
  assert.equal(toDropbox.receipt.alreadyPresent, false);
  assert.equal(toDropbox.receipt.details.contentHash, dropboxFile.content_hash);
  assert.equal(toSftp.receipt.remotePath, sftpPath);
  assert.equal(toSftp.receipt.alreadyPresent, false);
  assert.ok(toSftp.deliveredAt);

  const uploads = dropbox.log.filter((entry) => entry.path === '/2/files/upload');
  assert.equal(uploads.length, 1, 'one upload call: nothing was retried');
  const toSales = await relais.api('GET', `/v1/deliveries?connectionId=${connections.dropboxSales}`);
  assert.deepEqual(toSales.body.deliveries, []);
});

test('a sales invoice goes to the sales-invoice connection only, into the AR folder of the supplier', async () => {
  const before = new Set(dropbox.files.keys());
  const sftpBefore = await listFiles(sshd.uploadRoot);
  const accepted = await acceptDocument(relais, ublBeInvoice('V01/SALE-7'), {
    documentType: 'sales-invoice',
  });
  assert.equal(accepted.deliveries.length, 1);
  assert.equal(accepted.deliveries[0].connectionId, connections.dropboxSales);
  await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');

  const added = [...dropbox.files.keys()].filter((key) => !before.has(key));
  const fileName = `2018-04-09_V01_SALE-7_${accepted.documentId.slice(0, 8)}.xml`;
  assert.deepEqual(added, [`/Invoice_import/My Supplier Company_BE0000000196/AR/${fileName}`]);
  assertUblBeInvoice(dropbox.files.get(added[0]!)!.bytes, 'V01/SALE-7');
  assert.deepEqual(
    await listFiles(sshd.uploadRoot),
    sftpBefore,
    'nothing new on the purchase-invoice SFTP server',
  );
});
