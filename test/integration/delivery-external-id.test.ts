import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { acceptDocument, ublBeInvoice, waitForStatus } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { connectSftp, listFiles } from '../helpers/sftp-connection';
import { startSshServer, type SshServer } from '../helpers/sshd';

let sshd: SshServer;
let relais: TestRelais;

before(async () => {
  sshd = await startSshServer();
  relais = await startTestRelais();
});
after(async () => {
  await relais?.close();
  await sshd?.stop();
});

test('[external_id] in an SFTP upload path is the tenant’s customer number on the platform', async () => {
  await relais.db.pool.query('update tenants set customer_number = $1 where id = $2', [
    'CUST-0042',
    relais.tenant.id,
  ]);
  await connectSftp(relais, sshd, { documentType: 'purchase-invoice', uploadPath: 'clients/[external_id]/' });
  const accepted = await acceptDocument(relais, ublBeInvoice('EXT-1'));
  await waitForStatus(relais, accepted.deliveries[0].id, 'delivered');
  const files = await listFiles(sshd.uploadRoot);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^clients\/CUST-0042\/[^/]+\.xml$/);
});
