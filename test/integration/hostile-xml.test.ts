/*
 * XML built to make the guard slow (issue 18, point 5), posted to the running API: thousands of
 * attributes on the root, thousands of namespace prefixes in scope of thousands of elements. Each is
 * a clear 400 naming the limit, stores nothing and leaves the service serving (hostileClient's
 * `refused` checks all three).
 */
import { after, before, test } from 'node:test';
import { manyAttributes } from '../documents/hostile-xml';
import { syntheticDocument } from '../../documents/sample-invoice';
import { startTestRelais, type TestRelais } from '../helpers/relais';
import { hostileClient } from '../helpers/refusals';

let relais: TestRelais;

before(async () => {
  relais = await startTestRelais();
});
after(async () => {
  await relais?.close();
});

const { refused, post } = hostileClient(() => relais);

const invoice = syntheticDocument({
  number: 'XML-1',
  lines: [{ net: '10.00', category: 'S', percent: '21' }],
});

/** The invoice with `extra` (attributes, declarations) on its root element and `children` in it. */
function withOnRoot(extra: string, children = ''): string {
  return invoice.replace(/<Invoice\b/, `<Invoice${extra}`).replace('</Invoice>', `${children}</Invoice>`);
}

test('an invoice whose root carries 40,000 attributes is refused with 400 naming the limit', async () => {
  const attributes = manyAttributes(40_000).slice('<r'.length, -'/>'.length);
  const xml = withOnRoot(attributes);
  for (const asJson of [false, true]) {
    await refused(
      `40,000 attributes${asJson ? ' (JSON form)' : ''}`,
      () =>
        asJson
          ? post('/v1/documents', JSON.stringify({ documentType: 'purchase-invoice', xml }))
          : post('/v1/documents?documentType=purchase-invoice', xml, 'application/xml'),
      { status: 400, error: 'malformed-xml', message: /has more than 256 attributes/ },
    );
  }
});

test('an invoice declaring 10,000 namespace prefixes for 10,000 elements is refused with 400', async () => {
  const declarations = Array.from({ length: 10_000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
  const children = Array.from({ length: 10_000 }, (_, i) => `<p${i}:x/>`).join('');
  await refused(
    '10,000 prefixes × 10,000 elements',
    () =>
      post(
        '/v1/documents?documentType=purchase-invoice',
        withOnRoot(declarations, children),
        'application/xml',
      ),
    { status: 400, error: 'malformed-xml', message: /declares more than 128 namespaces/ },
  );
});
