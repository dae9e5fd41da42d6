import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDocument, type OutputFormat } from '../../documents';
import { syntheticDocument } from '../../documents/sample-invoice';

const options = { softwareName: 'Relais', softwareVersion: '0.1.0' };

/** One line of quantity 2 at price 200 with base quantity 2, whose net the sender gives. */
function invoiceWithBaseQuantity(net: string): string {
  const xml = syntheticDocument({ lines: [{ net, category: 'S', percent: '21' }] });
  const withQuantity = xml.replace('unitCode="C62">1<', 'unitCode="C62">2<');
  const withPrice = withQuantity.replace(
    `<cac:Price><cbc:PriceAmount currencyID="EUR">${net}</cbc:PriceAmount></cac:Price>`,
    '<cac:Price><cbc:PriceAmount currencyID="EUR">200.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="C62">2</cbc:BaseQuantity></cac:Price>',
  );
  assert.notEqual(withPrice, withQuantity, 'the line was rewritten');
  return withPrice;
}

const formats: OutputFormat[] = ['peppol-bis-3', 'ubl-be-3'];

for (const format of formats) {
  test(`${format}: a base quantity that was only a label goes, so the line adds up (PEPPOL-EN16931-R120)`, () => {
    const output = renderDocument(invoiceWithBaseQuantity('400.00'), format, options).toString('utf8');
    assert.doesNotMatch(output, /BaseQuantity/);
    assert.match(output, /<cbc:PriceAmount currencyID="EUR">200.00<\/cbc:PriceAmount>/);
    assert.match(output, /<cbc:LineExtensionAmount currencyID="EUR">400.00<\/cbc:LineExtensionAmount>/);
  });

  test(`${format}: a base quantity the line adds up with is kept`, () => {
    const output = renderDocument(invoiceWithBaseQuantity('200.00'), format, options).toString('utf8');
    assert.match(output, /<cbc:BaseQuantity unitCode="C62">2<\/cbc:BaseQuantity>/);
  });
}
