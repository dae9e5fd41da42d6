import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sampleInvoice } from '../../documents/sample-invoice';
import { acceptDocument } from '../helpers/delivery-api';
import { startTestRelais, type TestRelais } from '../helpers/relais';

/** The answers the README shows (its jsonc block under "What the answers look like"), parsed. */
function readmeAnswers(): Record<string, unknown>[] {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /What the answers look like[\s\S]*?```jsonc\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README shows the answers');
  const withoutComments = block.replace(/\/\/.*$/gm, '');
  return withoutComments
    .split(/\n(?=\{)/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => JSON.parse(part) as Record<string, unknown>);
}

const keys = (value: unknown) => Object.keys(value as object).sort();

let relais: TestRelais;
before(async () => {
  relais = await startTestRelais();
});
after(async () => relais?.close());

test('the README shows the shapes the API answers with', async () => {
  const [connectionAnswer, documentAnswer] = readmeAnswers();
  const created = await relais.api('POST', '/v1/connections', {
    connectorId: 'sftp',
    documentType: 'purchase-invoice',
  });
  assert.equal(created.status, 201);
  assert.deepEqual(keys(created.body), keys(connectionAnswer));
  const shown = connectionAnswer!.connection as Record<string, unknown>;
  assert.deepEqual(keys(created.body.connection), keys(shown));
  assert.deepEqual(keys(created.body.connection.setup), keys(shown.setup));

  const accepted = await acceptDocument(relais, sampleInvoice({ number: 'README-1' }));
  assert.deepEqual(keys(accepted), keys(documentAnswer));
  assert.deepEqual(accepted.deliveries, [], 'no connection is active yet');
});
