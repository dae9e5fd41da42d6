import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentError, parseUbl } from '../../documents';
import { readDocument } from '../../documents/parse-ubl';
import { sampleInvoice } from '../../documents/sample-invoice';
import { children, loadUbl, textAt, type UblDom } from '../../documents/ubl-dom';
import { listExamples, readExample, readFixture } from './fixtures';

/*
 * expected-parse.json was extracted from the example files with Python's ElementTree (a separate
 * XML stack; see ../shared/einvoicing/README.md), so these tests compare parseUbl with an
 * independent reading of the same files rather than with its own earlier output.
 */
interface Expected {
  kind: 'invoice' | 'credit-note';
  number: string;
  issueDate: string;
  dueDate: string | null;
  currency: string;
  supplier: {
    name: string;
    vatNumber?: string;
    endpointId?: string;
    endpointScheme?: string;
    country?: string;
  };
  customer: Expected['supplier'];
  totals: Record<'lineExtension' | 'taxExclusive' | 'taxInclusive' | 'payable' | 'tax', string | null>;
  lines: number;
  pdf: { filename: string; bytes: number } | null;
}

const expected = JSON.parse(readFixture('expected-parse.json').toString('utf8')) as Record<string, Expected>;
const examples = listExamples();

const FLAVOUR_OF_GROUP: Record<string, string> = {
  'peppol-bis3': 'peppol-bis-3',
  'ubl-be': 'ubl-be-3',
  'efff-v3': 'efff-v3',
  'cen-en16931': 'en16931',
};

test('every example shipped in the fixtures has expectations', () => {
  assert.equal(examples.length, 28);
  assert.deepEqual(examples.map((example) => example.id).sort(), Object.keys(expected).sort());
});

for (const example of examples) {
  test(`parses ${example.id}`, () => {
    const want = expected[example.id]!;
    const parsed = parseUbl(example.bytes);
    assert.equal(parsed.kind, want.kind);
    assert.equal(parsed.flavour, FLAVOUR_OF_GROUP[example.group]);
    assert.equal(parsed.number, want.number);
    assert.equal(parsed.issueDate, want.issueDate);
    assert.equal(parsed.dueDate, want.dueDate ?? undefined);
    assert.equal(parsed.currency, want.currency);
    for (const role of ['supplier', 'customer'] as const) {
      const party = parsed[role];
      assert.equal(party.name, want[role].name, `${role} name`);
      assert.equal(party.vatNumber, want[role].vatNumber, `${role} VAT`);
      assert.equal(party.endpointId, want[role].endpointId, `${role} endpoint`);
      assert.equal(party.endpointScheme, want[role].endpointScheme, `${role} endpoint scheme`);
      assert.equal(party.country, want[role].country, `${role} country`);
    }
    for (const [key, value] of Object.entries(want.totals)) {
      assert.equal(parsed.totals[key as keyof typeof parsed.totals], value ?? undefined, `total ${key}`);
    }
    assert.equal(parsed.lines, want.lines);
    if (want.pdf) {
      assert.ok(parsed.pdf, 'a PDF is found');
      assert.equal(parsed.pdf.filename, want.pdf.filename);
      assert.equal(parsed.pdf.mimeCode, 'application/pdf');
      assert.equal(parsed.pdf.content.length, want.pdf.bytes);
    } else {
      assert.equal(parsed.pdf, undefined);
    }
  });
}

test('the Belgian examples carry a real PDF, found by its description or (e-FFF) its document type', () => {
  for (const example of examples.filter((e) => e.group === 'ubl-be' || e.group === 'efff-v3')) {
    const { pdf, kind } = parseUbl(example.bytes);
    assert.ok(pdf, example.id);
    assert.equal(pdf.content.subarray(0, 5).toString('latin1'), '%PDF-', example.id);
    assert.equal(pdf.description, kind === 'invoice' ? 'CommercialInvoice' : 'CreditNote', example.id);
  }
});

test('without a designated attachment the first application/pdf one is the PDF', () => {
  const parsed = parseUbl(readExample('cen-en16931/ubl-tc434-example5.xml'));
  // Its first attachment is an external "ATS" link; the embedded one is described "your sales slip".
  assert.equal(parsed.pdf?.description, 'your sales slip');
  assert.equal(parsed.pdf?.filename, 'EHF.pdf');
});

test('Belgian enterprise numbers: explicit scheme, e-FFF scheme, legal registration id, or derived from the VAT number', () => {
  const ublBe = parseUbl(readExample('ubl-be/ublbe131-15000001.xml'));
  assert.equal(ublBe.supplier.enterpriseNumber, '0000000196'); // PartyLegalEntity/CompanyID schemeID 0208
  assert.equal(ublBe.customer.enterpriseNumber, '0000000295');
  const efff = parseUbl(readExample('efff-v3/efff3-wings-15000001.xml'));
  assert.equal(efff.supplier.enterpriseNumber, '0827405743'); // schemeID BE:CBE
  assert.equal(efff.customer.vatNumber, 'BE0899167234');
  const cen = parseUbl(readExample('cen-en16931/ubl-tc434-example1.xml'));
  assert.equal(cen.supplier.enterpriseNumber, '57151520'); // Dutch KvK number, as written
  assert.equal(cen.customer.enterpriseNumber, undefined);

  const derived = readExample('cen-en16931/ubl-tc434-creditnote1.xml')
    .toString('utf8')
    .replace(/<cbc:CompanyID>0000000196<\/cbc:CompanyID>/, '');
  assert.equal(parseUbl(derived).supplier.enterpriseNumber, '0000000196'); // from BE0000000196, check digits 96
  const wrongCheck = derived.replace('BE0000000196', 'BE0000000197');
  assert.equal(parseUbl(wrongCheck).supplier.enterpriseNumber, undefined);
});

test('strings and Buffers, with or without a byte order mark, parse the same', () => {
  const bytes = readExample('peppol-bis3/base-example.xml');
  const fromBuffer = parseUbl(bytes);
  assert.deepEqual(parseUbl(bytes.toString('utf8')), fromBuffer);
  assert.deepEqual(parseUbl(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])), fromBuffer);
  assert.deepEqual(parseUbl(`\ufeff${bytes.toString('utf8')}`), fromBuffer);
});

test('CRLF line ends and entities in values are read as an XML parser must', () => {
  const source = readExample('peppol-bis3/base-example.xml')
    .toString('utf8')
    .replace(/\n/g, '\r\n')
    .replace('<cbc:ID>Snippet1</cbc:ID>', '<cbc:ID>F&amp;2026/&#x41;&lt;1&gt;</cbc:ID>')
    .replace('SupplierOfficialName Ltd', 'Caf&#233; &quot;Chez L&apos;Ami&quot;');
  const parsed = parseUbl(source);
  assert.equal(parsed.number, 'F&2026/A<1>');
  assert.equal(parsed.supplier.name, 'Café "Chez L\'Ami"');
});

test('a CDATA section and a differently prefixed document read the same as the original', () => {
  const original = readExample('peppol-bis3/base-example.xml').toString('utf8');
  const cdata = original.replace('<cbc:ID>Snippet1</cbc:ID>', '<cbc:ID><![CDATA[Snippet1]]></cbc:ID>');
  assert.equal(parseUbl(cdata).number, 'Snippet1');
  const renamed = original
    .replace(/cbc:/g, 'b:')
    .replace(/cac:/g, 'a:')
    .replace(/xmlns:cbc=/, 'xmlns:b=')
    .replace(/xmlns:cac=/, 'xmlns:a=');
  assert.deepEqual(parseUbl(renamed), parseUbl(original));
});

test('a time zone on a date is accepted and dropped', () => {
  const source = readExample('peppol-bis3/base-example.xml')
    .toString('utf8')
    .replace('<cbc:IssueDate>2017-11-13</cbc:IssueDate>', '<cbc:IssueDate>2017-11-13+01:00</cbc:IssueDate>');
  assert.equal(parseUbl(source).issueDate, '2017-11-13');
});

test('the lines are loaded empty for parseUbl, which reads the same as from the whole document', () => {
  const documents = [
    ...examples.map((example) => example.bytes),
    Buffer.from(sampleInvoice({ number: 'LINES-1', lines: 30, pdf: true })),
    Buffer.from(sampleInvoice({ number: 'LINES-2', lines: 5, kind: 'credit-note' })),
  ];
  for (const bytes of documents) {
    assert.deepEqual(parseUbl(bytes), readDocument(loadUbl(bytes)));
  }
  const xml = sampleInvoice({ number: 'LINES-3', lines: 4 });
  const lines = (dom: UblDom) => children(dom.root, 'cac:InvoiceLine');
  const whole = loadUbl(xml);
  const cut = loadUbl(xml, { withoutLineContent: true });
  assert.equal(lines(whole).length, 4);
  assert.ok(lines(whole).every((line) => line.firstChild !== null));
  assert.equal(lines(cut).length, 4);
  assert.ok(lines(cut).every((line) => line.firstChild === null));
  // What is not a line keeps its content; a line is a line by its namespace, not its name alone.
  assert.equal(textAt(cut.root, 'cac:AccountingSupplierParty', 'cac:Party', 'cbc:EndpointID'), '0000000196');
  const foreign = xml.replace(
    '<cac:InvoiceLine>',
    '<x:InvoiceLine xmlns:x="urn:example:other"><x:ID>0</x:ID></x:InvoiceLine><cac:InvoiceLine>',
  );
  assert.equal(parseUbl(foreign).lines, 4);
});

test('what the lines hold is still checked: a mistake inside a line refuses the document', () => {
  const xml = sampleInvoice({ number: 'LINES-4', lines: 3 });
  const inLine = (from: string, to: string) => {
    const at = xml.lastIndexOf(from);
    assert.ok(at > xml.indexOf('<cac:InvoiceLine>'));
    return xml.slice(0, at) + to + xml.slice(at + from.length);
  };
  for (const broken of [
    inLine('<cbc:Name>Item 3</cbc:Name>', '<cbc:Name>Item 3</cbc:Nam>'),
    inLine('<cbc:Name>Item 3</cbc:Name>', '<cbc:Name>Item &nbsp;3</cbc:Name>'),
    inLine('<cbc:Name>Item 3</cbc:Name>', '<z:Name>Item 3</z:Name>'),
    inLine('<cbc:Name>Item 3</cbc:Name>', '<cbc:Name a="1" a="2">Item 3</cbc:Name>'),
  ]) {
    assert.throws(
      () => parseUbl(broken),
      (error: unknown) => error instanceof DocumentError && error.code === 'malformed-xml',
    );
  }
});
