import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ENCRYPTED_ENCODING } from '../../platform/payload-codec';
import { deliveryWorkflowId } from '../../workflows/delivery-messages';
import { setupWorkflowId } from '../../workflows/setup-messages';
import type { DropboxFake } from '../fakes/dropbox';
import { historyText } from '../helpers/browser';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { connectSftp } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';

/**
 * What an operator with access to Temporal's database (or its UI without the codec) would read: the
 * history as stored. Everything personal must be ciphertext there, and readable through the codec.
 */
let dropbox: DropboxFake;
let sshd: SshServer;
let relais: TestRelais;

before(async () => {
  [dropbox, sshd] = await Promise.all([startDropbox(), startSshServer()]);
  // The SSRF guard admits the test's SFTP server on loopback only when allow-listed.
  relais = await startTestRelais({ ...dropboxEnv(dropbox), RELAIS_NETWORK_ALLOW: sshd.host });
});
after(async () => {
  await relais?.close();
  await Promise.all([dropbox?.close(), sshd?.stop()]);
});

type History = temporal.api.history.v1.IHistory;

/** The parties of the UBL.BE example invoice (../shared/einvoicing/examples/ubl-be). */
const invoiceParties = {
  'supplier name': 'My Supplier Company',
  'customer name': 'My Customer Company',
  'supplier e-mail': 'john.doole@mysuppliercompany.be',
  'customer e-mail': 'pete.smith@mycustomercompany.be',
};

test('the stored history holds no invoice or account data in clear; through the codec it does', async () => {
  const invoiceNumber = 'ENC-4711';
  const dropboxConnection = await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  const sftpConnection = await connectSftp(relais, sshd, {
    documentType: 'purchase-invoice',
    uploadPath: 'encrypted-history/',
  });
  // One failed attempt puts a failure (message, stack trace) into the delivery's history.
  dropbox.failNext({ status: 503, path: '/2/files/upload', times: 1 });
  const accepted = await acceptDocument(relais, ublBeInvoice(invoiceNumber));
  for (const delivery of accepted.deliveries) await waitForStatus(relais, delivery.id, 'delivered');

  const workflowIds = [
    setupWorkflowId(dropboxConnection),
    setupWorkflowId(sftpConnection),
    deliveryWorkflowId(accepted.documentId, dropboxConnection),
    deliveryWorkflowId(accepted.documentId, sftpConnection),
  ];
  // A client without the data converter: it returns the payloads as the server stores them.
  const plain = new Client({ connection: relais.temporal.client.connection, namespace: 'default' });
  const stored: History[] = [];
  for (const id of workflowIds) stored.push(await plain.workflow.getHandle(id).fetchHistory());
  const decoded: History[] = [];
  for (const id of workflowIds) decoded.push(await relais.temporal.decodedHistory(id));

  const personal: Record<string, string> = {
    'invoice number': invoiceNumber,
    ...invoiceParties,
    'Dropbox account name': dropbox.account.display_name,
    'Dropbox account e-mail': dropbox.account.email,
    'SFTP account name': sshd.username,
    'SFTP host and port': `${sshd.host}:${sshd.port}`,
  };
  const storedText = stored.map(historyText).join('\n');
  const decodedText = decoded.map(historyText).join('\n');
  for (const [what, value] of Object.entries(personal)) {
    assert.ok(!storedText.includes(value), `the ${what} (${value}) is in the stored history in clear`);
  }
  // The scan reads real data: what the workflows carry shows once decrypted.
  for (const what of ['invoice number', 'customer name', 'Dropbox account name', 'SFTP account name']) {
    assert.ok(decodedText.includes(personal[what]!), `the decoded history shows the ${what}`);
  }
  assert.ok(decodedText.includes(accepted.documentId), 'the decoded history shows the document id');

  // Every payload is ciphertext, except search attributes, which the server must read to index them.
  const payloads = storedPayloads(stored);
  assert.ok(payloads.length > 20, `the histories carry payloads (${payloads.length})`);
  for (const { path, encoding } of payloads) {
    if (path.includes('searchAttributes')) continue;
    assert.equal(encoding, ENCRYPTED_ENCODING, `${path} is encrypted`);
  }

  // Failure messages and stack traces are payloads too: only the decoded history tells what failed.
  // A retried attempt's failure is kept on the next attempt's start event.
  const failureOf = (history: History) =>
    history.events?.find((event) => event.activityTaskStartedEventAttributes?.lastFailure)
      ?.activityTaskStartedEventAttributes?.lastFailure;
  const dropboxDelivery = workflowIds.indexOf(deliveryWorkflowId(accepted.documentId, dropboxConnection));
  const storedFailure = failureOf(stored[dropboxDelivery]!);
  const decodedFailure = failureOf(decoded[dropboxDelivery]!);
  assert.ok(storedFailure && decodedFailure, 'the failed attempt is in the history');
  assert.equal(storedFailure.message, 'Encoded failure');
  assert.equal(storedFailure.stackTrace, '');
  const attributes = JSON.parse(Buffer.from(decodedFailure.encodedAttributes!.data!).toString('utf8'));
  assert.match(attributes.message, /Dropbox/, 'the decoded failure says what failed');
  assert.match(attributes.stack_trace, /at /);
});

/** Every payload of the histories with where it sits and its (outer) encoding. */
function storedPayloads(histories: History[]): Array<{ path: string; encoding: string | undefined }> {
  const found: Array<{ path: string; encoding: string | undefined }> = [];
  const walk = (value: unknown, path: string): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    const candidate = value as { metadata?: Record<string, Uint8Array>; data?: unknown };
    if (candidate.data instanceof Uint8Array && candidate.metadata) {
      const encoding = candidate.metadata.encoding;
      found.push({ path, encoding: encoding && Buffer.from(encoding).toString('utf8') });
      return;
    }
    for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`);
  };
  histories.forEach((history, index) => walk(history, `history[${index}]`));
  return found;
}
