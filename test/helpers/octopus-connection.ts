import assert from 'node:assert/strict';
import { TERMS_VERSION } from '../../connectors/shared/catalogue';
import type { JsonBody } from './http';
import type { TestRelais } from './relais';

/**
 * Walks the Octopus setup through the API with `mailbox` (and, with `activate`, the terms); returns the
 * connection as the credentials step left it (its settings carry the mailbox and any warning).
 */
export async function setUpOctopus(
  relais: TestRelais,
  mailbox: string,
  options: { activate: boolean; documentType?: 'purchase-invoice' | 'sales-invoice' },
): Promise<JsonBody> {
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'octopus',
    documentType: options.documentType ?? 'purchase-invoice',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.connection.id as string;
  const credentials = await relais.api('POST', `/v1/connections/${id}/steps/credentials`, {
    values: { mailbox },
  });
  assert.equal(credentials.status, 200, JSON.stringify(credentials.body));
  assert.equal(credentials.body.connection.setup.currentStep, 'terms');
  if (options.activate) {
    const terms = await relais.api('POST', `/v1/connections/${id}/steps/terms`, {
      accepted: true,
      termsVersion: TERMS_VERSION,
      acceptedBy: 'alice@example.test',
    });
    assert.equal(terms.status, 200, JSON.stringify(terms.body));
    const read = await relais.api('GET', `/v1/connections/${id}`);
    assert.equal(read.body.connection.status, 'active');
  }
  return credentials.body.connection;
}
