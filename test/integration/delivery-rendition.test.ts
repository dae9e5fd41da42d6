import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DropboxFake } from '../fakes/dropbox';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { connectDropbox, dropboxEnv, startDropbox } from '../helpers/dropbox-connection';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { sampleInvoice } from '../../documents/sample-invoice';

let dropbox: DropboxFake;
let relais: TestRelais;

before(async () => {
  dropbox = await startDropbox();
  relais = await startTestRelais(dropboxEnv(dropbox));
});
after(async () => {
  await relais?.close();
  await dropbox?.close();
});

test('every attempt sends the stored rendition: bytes rendered by an earlier version are the ones delivered', async () => {
  // Accepted before any connection: stored, nothing delivered yet.
  const xml = ublBeInvoice('REND-1');
  const accepted = await acceptDocument(relais, xml);
  assert.deepEqual(accepted.deliveries, []);
  // What an earlier Relais version rendered and kept before an upgrade (its reference names it).
  const earlier = Buffer.from('<Invoice>rendered by Relais 0.0.9</Invoice>\n');
  await relais.db.pool.query(
    `insert into renditions (tenant_id, document_id, format, content, software_version) values ($1, $2, 'ubl-be-3', $3, '0.0.9')`,
    [relais.tenant.id, accepted.documentId, earlier],
  );

  await connectDropbox(relais, dropbox, { documentType: 'purchase-invoice' });
  const again = await acceptDocument(relais, xml);
  assert.equal(again.deliveries.length, 1, 'the re-post creates the delivery for the new connection');
  await waitForStatus(relais, again.deliveries[0].id, 'delivered');
  const delivered = [...dropbox.files.values()].map((file) => file.bytes);
  assert.deepEqual(delivered, [earlier]);
});

test('a document delivered in one format is rendered once: the rendition is kept for later attempts', async () => {
  const accepted = await acceptDocument(relais, ublBeInvoice('REND-2'));
  await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  const { rows } = await relais.db.pool.query(
    'select format, content from renditions where document_id = $1',
    [accepted.documentId],
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0].format, 'ubl-be-3');
  const file = [...dropbox.files.values()].find((stored) => stored.bytes.equals(rows[0].content));
  assert.ok(file, 'the delivered bytes are the stored rendition');
});

test('a file delivered as Peppol BIS 3 without the data Peppol requires is delivered, and the receipt says which rules it misses', async () => {
  await connectDropbox(relais, dropbox, { documentType: 'sales-invoice', format: 'peppol-bis-3' });
  const complete = sampleInvoice({ number: 'WARN-1' });
  const withoutBuyerAddress = complete.replace(
    /(<cac:AccountingCustomerParty><cac:Party>)<cbc:EndpointID[^>]*>[^<]*<\/cbc:EndpointID>/,
    '$1',
  );
  assert.notEqual(withoutBuyerAddress, complete);
  const [warned, clean] = await Promise.all([
    acceptDocument(relais, Buffer.from(withoutBuyerAddress), { documentType: 'sales-invoice' }),
    acceptDocument(relais, Buffer.from(sampleInvoice({ number: 'WARN-2' })), {
      documentType: 'sales-invoice',
    }),
  ]);
  const delivered = await waitForStatus(relais, warned.deliveries[0].id, 'delivered');
  assert.deepEqual(
    delivered.warnings.map((warning: { rule: string }) => warning.rule),
    ['PEPPOL-EN16931-R010'],
  );
  assert.match(delivered.warnings[0].message, /buyer's electronic address/);
  assert.deepEqual(delivered.receipt.warnings, delivered.warnings, 'the receipt keeps them');
  const plain = await waitForStatus(relais, clean.deliveries[0].id, 'delivered');
  assert.deepEqual(plain.warnings, []);
  assert.equal(plain.receipt.warnings, undefined);
});
