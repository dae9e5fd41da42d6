import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openApiDocument } from '../../api/openapi';

test('the OpenAPI document describes every route with the schemas the handlers validate with', () => {
  const document = openApiDocument();
  assert.equal(document.openapi, '3.1.0');
  const paths = document.paths as Record<string, Record<string, JsonOperation>>;
  for (const path of [
    '/v1/connections',
    '/v1/documents',
    '/v1/deliveries',
    '/v1/connections/{id}/steps/credentials',
    '/v1/deliveries/{id}/timeline',
    '/v1/connections/{id}/stats',
  ]) {
    assert.ok(paths[path], `${path} is documented`);
  }
  const create = paths['/v1/connections']!.post!.requestBody.content['application/json'].schema;
  assert.deepEqual(create.required?.sort(), ['connectorId', 'documentType']);
  assert.deepEqual(create.properties.documentType.enum, ['sales-invoice', 'purchase-invoice']);
  const terms =
    paths['/v1/connections/{id}/steps/terms']!.post!.requestBody.content['application/json'].schema;
  assert.equal(terms.properties.accepted.const, true);
  const stats = paths['/v1/connections/{id}/stats']!.get!.parameters;
  assert.deepEqual(
    stats.map((p: { name: string; in: string }) => `${p.in} ${p.name}`),
    ['path id', 'query days'],
  );
  assert.deepEqual([stats[1].schema.minimum, stats[1].schema.maximum, stats[1].schema.default], [1, 31, 7]);
  const list = paths['/v1/deliveries']!.get!.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(list.sort(), [
    'connectionId',
    'cursor',
    'documentId',
    'limit',
    'order',
    'since',
    'status',
    'until',
  ]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonOperation = any;
