import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from 'xmlbuilder2';
import { DocumentError, parseUbl, renderDocument, type OutputFormat } from '../../documents';
import { readExample } from './fixtures';
import { syntheticDocument, type DocumentSpec, type LineSpec } from '../../documents/sample-invoice';
import { peppolViolations, ublBeViolations } from './ubl-rules';
import { validateUbl, type XsdDocument } from './xsd';

/* The individual rewriting rules, on documents built for each case. */

const OPTIONS = { softwareName: 'Relais', softwareVersion: '0.1.0' };
const outputs: XsdDocument[] = [];

function render(source: string | Buffer, format: OutputFormat, name: string): string {
  const output = renderDocument(source, format, OPTIONS);
  outputs.push({ name, xml: output, kind: parseUbl(output).kind });
  const violations =
    format === 'ubl-be-3' ? ublBeViolations(output, 'Relais 0.1.0') : peppolViolations(output);
  assert.deepEqual(violations, [], name);
  return output.toString('utf8');
}

interface El {
  localName: string;
  textContent: string | null;
  firstChild: El | null;
  nextSibling: El | null;
  nodeType: number;
  parentNode: El | null;
}

/** Elements by local name, with their parent's local name, read with xmlbuilder2 (not documents/). */
function find(xml: string, localName: string): El[] {
  const result: El[] = [];
  const walk = (node: El): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      if (child.localName === localName) result.push(child);
      walk(child);
    }
  };
  walk(create(xml).node as unknown as El);
  return result;
}

function textsOf(xml: string, localName: string, parent?: string): string[] {
  return find(xml, localName)
    .filter((element) => !parent || element.parentNode?.localName === parent)
    .map((element) => element.textContent ?? '');
}

function childNames(xml: string, localName: string): string[][] {
  return find(xml, localName).map((element) => {
    const names: string[] = [];
    for (let child = element.firstChild; child; child = child.nextSibling)
      if (child.nodeType === 1) names.push(child.localName);
    return names;
  });
}

const line = (category: string, percent: string | undefined, extra: Partial<LineSpec> = {}): LineSpec => ({
  net: '100.00',
  category,
  ...(percent !== undefined && { percent }),
  ...extra,
});

test('EN 16931 VAT categories map to Belgian tax codes, with UBL.BE exemption wording where VAT is not charged', () => {
  const cases: [LineSpec, string, string?, string?][] = [
    [line('S', '21'), '03'],
    [line('S', '12.00'), '02'],
    [line('S', '6'), '01'],
    [line('Z', '0'), '00'],
    [
      line('AE', '0', { exemptionCode: 'VATEX-EU-AE', exemptionReason: 'Reverse charge' }),
      '45',
      'BETE-45',
      'Reverse charge - Contractor',
    ],
    [line('E', '0', { exemptionReason: 'Exempt under article 44' }), 'NA', 'BETE-EX', 'Exempt'],
    // Margin schemes (second-hand goods, antiques, art, travel agents) are Belgium's MA, not a plain exemption.
    [
      line('E', '0', { exemptionCode: 'VATEX-EU-F', exemptionReason: 'Second-hand goods' }),
      'MA',
      'BETE-MA',
      'Margin',
    ],
    [line('E', '0', { exemptionCode: 'vatex-eu-j' }), 'MA', 'BETE-MA', 'Margin'],
    [line('O', undefined, { exemptionReason: 'Not subject' }), 'NS', 'BETE-NS', 'Not subject to VAT'],
    [
      line('K', '0', { exemptionCode: 'VATEX-EU-IC' }),
      '46/GO',
      'BETE-46/GO',
      'Intra-community supply - Goods',
    ],
    [line('G', '0', { exemptionCode: 'VATEX-EU-G' }), '47/EX', 'BETE-47/EX', 'Export non E.U.'],
    // A Belgian code already in the document is the sender's choice and wins over the default.
    [line('K', '0', { taxName: '44' }), '44', 'BETE-44', 'Intra-community supply - Services B2B'],
  ];
  for (const [spec, code, exemptionCode, reason] of cases) {
    const name = `${spec.category} ${spec.percent ?? '-'} ${spec.taxName ?? ''}`;
    const output = render(syntheticDocument({ lines: [spec] }), 'ubl-be-3', name);
    assert.deepEqual(textsOf(output, 'Name', 'TaxCategory'), [code], name);
    assert.deepEqual(textsOf(output, 'Name', 'ClassifiedTaxCategory'), [code], name);
    assert.deepEqual(textsOf(output, 'TaxExemptionReasonCode'), exemptionCode ? [exemptionCode] : [], name);
    assert.deepEqual(textsOf(output, 'TaxExemptionReason'), reason ? [reason] : [], name);
  }
});

test('UBL.BE refuses VAT it has no Belgian code for; Peppol still carries it', () => {
  for (const spec of [line('S', '25'), line('S', '19.6'), line('L', '7'), line('S', undefined)]) {
    const source = syntheticDocument({ lines: [spec] });
    assert.throws(
      () => renderDocument(source, 'ubl-be-3', OPTIONS),
      (error: unknown) =>
        error instanceof DocumentError &&
        error.code === 'unsupported-tax-category' &&
        error.message.includes(`"${spec.category}"`),
    );
    render(source, 'peppol-bis-3', `peppol ${spec.category} ${spec.percent}`);
  }
});

test('UBL.BE lines get their VAT: net times rate, rounded half away from zero to the cent', () => {
  const lines: [string, string, string][] = [
    ['100.05', '21', '21.01'],
    ['2.50', '21', '0.53'],
    ['10.10', '6', '0.61'],
    ['-10.10', '6', '-0.61'],
    ['0.05', '21', '0.01'],
    ['0.02', '21', '0.00'],
    ['1234567890.99', '12', '148148146.92'],
  ];
  const source = syntheticDocument({
    lines: lines.map(([net, percent]) => ({ net, category: 'S', percent })),
  });
  const output = render(source, 'ubl-be-3', 'line VAT');
  const lineTaxes = find(output, 'TaxAmount').filter(
    (e) => e.parentNode?.parentNode?.localName === 'InvoiceLine',
  );
  assert.deepEqual(
    lineTaxes.map((e) => e.textContent),
    lines.map(([, , tax]) => tax),
  );
  const exempt = render(
    syntheticDocument({ lines: [line('E', '0', { exemptionReason: 'x' })] }),
    'ubl-be-3',
    'exempt',
  );
  assert.deepEqual(textsOf(exempt, 'TaxAmount', 'TaxTotal').slice(-1), ['0.00']);
});

test('credit notes get the same treatment, in credit note element order', () => {
  const spec: DocumentSpec = {
    kind: 'credit-note',
    lines: [line('S', '21'), line('E', '0', { exemptionReason: 'x' })],
  };
  const output = render(syntheticDocument(spec), 'ubl-be-3', 'credit note');
  assert.equal(textsOf(output, 'DocumentDescription').filter((t) => t === 'CreditNote').length, 1);
  assert.deepEqual(childNames(output, 'CreditNoteLine')[0], [
    'ID',
    'CreditedQuantity',
    'LineExtensionAmount',
    'TaxTotal',
    'Item',
    'Price',
  ]);
  render(output, 'peppol-bis-3', 'credit note back to peppol');
});

test('new elements go where the XSD puts them: ProfileID after CustomizationID, UBL.BE reference first', () => {
  const spec: DocumentSpec = {
    lines: [line('S', '21')],
    afterCurrency:
      '<cac:ContractDocumentReference><cbc:ID>C-1</cbc:ID></cac:ContractDocumentReference>' +
      '<cac:AdditionalDocumentReference><cbc:ID>130-1</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>',
  };
  const output = render(syntheticDocument(spec), 'ubl-be-3', 'order');
  const root = childNames(output, 'Invoice')[0]!;
  assert.deepEqual(root.slice(0, 3), ['CustomizationID', 'ProfileID', 'ID']);
  const from = root.indexOf('ContractDocumentReference');
  assert.deepEqual(root.slice(from, from + 4), [
    'ContractDocumentReference',
    'AdditionalDocumentReference',
    'AdditionalDocumentReference',
    'AccountingSupplierParty',
  ]);
  assert.deepEqual(textsOf(output, 'ID', 'AdditionalDocumentReference'), ['UBL.BE', 'F2026/0001']);
  assert.deepEqual(textsOf(output, 'DocumentDescription'), ['Relais 0.1.0', 'CommercialInvoice']);
});

test('UBL.BE: the invoiced object identifier (BT-18) becomes a note, passing both UBL-CR-673 and ubl-BE-04', () => {
  const spec: DocumentSpec = {
    lines: [line('S', '21')],
    afterCurrency:
      '<cac:AdditionalDocumentReference><cbc:ID schemeID="AAA">OBJ-77</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>',
  };
  const output = render(syntheticDocument(spec), 'ubl-be-3', 'invoiced object');
  assert.deepEqual(ublBeViolations(output, 'Relais 0.1.0'), []);
  assert.ok(
    textsOf(output, 'Note').includes('Invoiced object identifier (BT-18): OBJ-77 (scheme AAA)'),
    'the identifier is kept',
  );
  assert.ok(!textsOf(output, 'ID', 'AdditionalDocumentReference').includes('OBJ-77'));
});

test('Peppol output drops what only UBL.BE uses and keeps the meaning', () => {
  const source = syntheticDocument({
    customizationId: 'urn:cen.eu:en16931:2017#conformant#urn:UBL.BE:1.0.0.20180214',
    notes: ['First note', 'Second note'],
    lines: [
      line('S', '21', { taxName: '03' }),
      line('K', '0', {
        taxName: '46/GO',
        exemptionCode: 'BETE-46/GO',
        exemptionReason: 'Intra-community supply - Goods',
      }),
      line('E', '0', { taxName: 'NA', exemptionCode: 'BETE-EX' }),
    ],
    afterCurrency:
      '<cac:AdditionalDocumentReference><cbc:ID>UBL.BE</cbc:ID><cbc:DocumentStatusCode>Converted</cbc:DocumentStatusCode>' +
      '<cbc:DocumentDescription>Other 1.0</cbc:DocumentDescription></cac:AdditionalDocumentReference>',
    afterParties:
      '<cac:Delivery><cac:DeliveryTerms><cbc:ID>BELM-002</cbc:ID><cbc:SpecialTerms>Special ruling - used goods</cbc:SpecialTerms></cac:DeliveryTerms></cac:Delivery>',
  }).replace(
    /(<cac:InvoiceLine>[\s\S]*?)(<cac:Item>)/g,
    '$1<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">1.00</cbc:TaxAmount></cac:TaxTotal>$2',
  );
  const output = render(source, 'peppol-bis-3', 'from ubl.be');
  assert.deepEqual(textsOf(output, 'Name', 'TaxCategory'), []);
  assert.deepEqual(textsOf(output, 'Name', 'ClassifiedTaxCategory'), []);
  assert.equal(find(output, 'TaxTotal').length, 1, 'line TaxTotals removed');
  assert.deepEqual(textsOf(output, 'ID', 'AdditionalDocumentReference'), ['F2026/0001']);
  assert.equal(find(output, 'DocumentStatusCode').length, 0);
  assert.deepEqual(textsOf(output, 'TaxExemptionReasonCode'), ['VATEX-EU-IC']);
  // BETE-EX has no VATEX twin for category E: the code goes, the wording stays.
  assert.ok(textsOf(output, 'TaxExemptionReason').includes('Exempt'));
  assert.deepEqual(textsOf(output, 'Note'), ['First note\nSecond note\nSpecial ruling - used goods']);
  assert.equal(find(output, 'DeliveryTerms').length, 0);
});

test('UBL.BE keeps only Belgian legal mentions as delivery terms, in the wording its rules accept', () => {
  const spec: DocumentSpec = {
    lines: [line('S', '21')],
    afterParties:
      '<cac:Delivery><cbc:ActualDeliveryDate>2026-01-30</cbc:ActualDeliveryDate>' +
      '<cac:DeliveryTerms><cbc:ID>FCA</cbc:ID><cbc:SpecialTerms>Free carrier</cbc:SpecialTerms></cac:DeliveryTerms>' +
      '<cac:DeliveryTerms><cbc:ID>belm-003</cbc:ID><cbc:SpecialTerms>Special ruling - art objects</cbc:SpecialTerms></cac:DeliveryTerms>' +
      '<cac:DeliveryTerms><cbc:ID>BELM-006</cbc:ID></cac:DeliveryTerms></cac:Delivery>',
  };
  const output = render(syntheticDocument(spec), 'ubl-be-3', 'legal mentions');
  assert.deepEqual(textsOf(output, 'ID', 'DeliveryTerms'), ['BELM-003', 'BELM-006']);
  assert.deepEqual(textsOf(output, 'SpecialTerms'), [
    'Bijzondere regeling - kunstvoorwerpen',
    'Invoice issued by the receiver',
  ]);
});

test('e-FFF v3 data moves to where EN 16931 has it', () => {
  const efff = readExample('efff-v3/efff3-wings-15000001.xml');
  for (const format of ['peppol-bis-3', 'ubl-be-3'] as const) {
    const output = render(efff, format, `efff ${format}`);
    assert.deepEqual(textsOf(output, 'DueDate'), ['2015-05-09']);
    assert.equal(find(output, 'PaymentDueDate').length, 0);
    assert.deepEqual(textsOf(output, 'ID', 'FinancialInstitutionBranch'), ['GEBABEBB']);
    assert.equal(find(output, 'FinancialInstitution').length, 0);
    assert.ok(!output.includes('BE:CBE') && !output.includes('BE:VAT'));
    assert.match(output, /<cbc:EndpointID schemeID="0208">0827405743<\/cbc:EndpointID>/);
    assert.equal(find(output, 'DocumentType').length, 0);
  }
});

test('text that looks like an entity survives rewriting as text', () => {
  const source = syntheticDocument({
    lines: [line('S', '21')],
    supplierName: 'A &amp;copy; B &lt;x&gt; &amp;amp; "q"',
  });
  for (const format of ['peppol-bis-3', 'ubl-be-3'] as const) {
    const output = render(source, format, `escaping ${format}`);
    assert.equal(parseUbl(output).supplier.name, 'A &copy; B <x> &amp; "q"');
  }
});

test('documents using other namespace prefixes are extended with their own prefixes', () => {
  const source = syntheticDocument({ lines: [line('S', '21')] })
    .replace(/cbc:/g, 'b:')
    .replace(/cac:/g, 'a:')
    .replace('xmlns:cbc=', 'xmlns:b=')
    .replace('xmlns:cac=', 'xmlns:a=');
  const output = render(source, 'ubl-be-3', 'prefixes');
  assert.ok(!/<cbc:|<cac:/.test(output), 'no second prefix introduced');
  assert.match(output, /<b:Name>03<\/b:Name>/);
});

test('empty elements left by generators are removed', () => {
  const source = syntheticDocument({ lines: [line('S', '21')], notes: [''] })
    .replace(
      '<cbc:BuyerReference>PO-1</cbc:BuyerReference>',
      '<cbc:BuyerReference>PO-1</cbc:BuyerReference><cac:OrderReference><cbc:ID>  </cbc:ID></cac:OrderReference>',
    )
    .replace('<cac:PartyLegalEntity>', '<cac:Contact></cac:Contact><cac:PartyLegalEntity>');
  for (const format of ['peppol-bis-3', 'ubl-be-3'] as const) {
    const output = render(source, format, `empty ${format}`);
    assert.equal(find(output, 'Contact').length, 0);
    assert.equal(find(output, 'OrderReference').length, 0);
    assert.equal(find(output, 'Note').length, 0);
  }
});

test('every document rendered in this file is valid against the UBL 2.1 XSD', async () => {
  assert.ok(outputs.length > 20);
  for (const [name, errors] of await validateUbl(outputs)) assert.deepEqual(errors, [], name);
});
