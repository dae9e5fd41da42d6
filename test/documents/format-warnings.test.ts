import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatWarnings, renderDocument } from '../../documents';
import { sampleInvoice } from '../../documents/sample-invoice';

const options = { softwareName: 'Relais', softwareVersion: 'test' };
const rules = (xml: string, format: 'peppol-bis-3' | 'ubl-be-3' = 'peppol-bis-3') =>
  formatWarnings(renderDocument(xml, format, options), format).map((warning) => warning.rule);

test('a complete Peppol invoice carries no warning', () => {
  assert.deepEqual(rules(sampleInvoice({ number: 'W-1' })), []);
});

test('missing electronic addresses and references are named by their Peppol rule, after rendering', () => {
  const xml = sampleInvoice({ number: 'W-2' });
  const withoutBuyerAddress = xml.replace(
    /(<cac:AccountingCustomerParty><cac:Party>)<cbc:EndpointID[^>]*>[^<]*<\/cbc:EndpointID>/,
    '$1',
  );
  assert.notEqual(withoutBuyerAddress, xml);
  assert.deepEqual(rules(withoutBuyerAddress), ['PEPPOL-EN16931-R010']);

  const withoutAnyAddress = withoutBuyerAddress.replace(
    /(<cac:AccountingSupplierParty><cac:Party>)<cbc:EndpointID[^>]*>[^<]*<\/cbc:EndpointID>/,
    '$1',
  );
  const withoutReference = withoutAnyAddress.replace('<cbc:BuyerReference>PO-1</cbc:BuyerReference>', '');
  assert.deepEqual(rules(withoutReference), [
    'PEPPOL-EN16931-R020',
    'PEPPOL-EN16931-R010',
    'PEPPOL-EN16931-R003',
  ]);
  const warning = formatWarnings(
    renderDocument(withoutReference, 'peppol-bis-3', options),
    'peppol-bis-3',
  )[2]!;
  assert.match(warning.message, /buyer reference nor an order reference/);

  const withOrder = withoutReference.replace(
    '</cbc:DocumentCurrencyCode>',
    '</cbc:DocumentCurrencyCode><cac:OrderReference><cbc:ID>PO-9</cbc:ID></cac:OrderReference>',
  );
  assert.ok(!rules(withOrder).includes('PEPPOL-EN16931-R003'), 'an order reference is enough');
  assert.deepEqual(
    rules(withoutReference, 'ubl-be-3').length,
    0,
    'UBL.BE output is not checked against Peppol rules',
  );
});
