import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentError, parseUbl, type DocumentErrorCode } from '../../documents';
import { readExample } from './fixtures';

const base = readExample('peppol-bis3/base-example.xml').toString('utf8');
const creditNote = readExample('peppol-bis3/base-creditnote-correction.xml').toString('utf8');

function rejects(input: Buffer | string, code: DocumentErrorCode, message?: RegExp): DocumentError {
  try {
    parseUbl(input);
  } catch (error) {
    assert.ok(error instanceof DocumentError, `expected a DocumentError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected parseUbl to throw ${code}`);
}

test('DTDs are refused before parsing: billion laughs, external entities, internal subsets', () => {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol2;</Invoice>';
  rejects(laughs, 'dtd-forbidden', /DOCTYPE/);
  const external = base.replace('<Invoice', '<!DOCTYPE Invoice SYSTEM "file:///etc/passwd"><Invoice');
  rejects(external, 'dtd-forbidden');
  rejects(base.replace('<Invoice', '<!doctype Invoice><Invoice'), 'dtd-forbidden');
  rejects(base.replace('<Invoice', '<!ENTITY x "y"><Invoice'), 'dtd-forbidden', /ENTITY/);
  rejects(base.replace('<cbc:Note', '<!ATTLIST a b CDATA #IMPLIED><cbc:Note'), 'dtd-forbidden');
});

test('undeclared entities are refused, not expanded or passed through', () => {
  rejects(base.replace('Snippet1</cbc:ID>', '&xxe;</cbc:ID>'), 'malformed-xml', /unknown entity "&xxe;"/);
  rejects(base.replace('Snippet1</cbc:ID>', 'A & B</cbc:ID>'), 'malformed-xml', /&amp;/);
  rejects(base.replace('Snippet1</cbc:ID>', '&#0;</cbc:ID>'), 'malformed-xml', /not an XML character/);
  rejects(base.replace('Snippet1</cbc:ID>', '&#x110000;</cbc:ID>'), 'malformed-xml');
});

test('malformed XML that xmlbuilder2 alone would accept is refused with a line number', () => {
  const cases: [string, string, RegExp][] = [
    ['mismatched end tag', base.replace('</cbc:ID>', '</cbc:Id>'), /does not match/],
    ['unclosed root', base.replace('</Invoice>', ''), /never closed/],
    ['duplicate attribute', base.replace('schemeID="0088"', 'schemeID="0088" schemeID="0089"'), /twice/],
    [
      'undeclared prefix',
      base.replace('<cbc:Note', '<foo:Note').replace('</cbc:Note>', '</foo:Note>'),
      /prefix "foo"/,
    ],
    ['second root', `${base}<Invoice/>`, /only one root/],
    ['text after the root', `${base}trailing`, /outside the root/],
    ['unquoted attribute', base.replace('schemeID="0088"', 'schemeID=0088'), /quoted/],
    ['bare <', base.replace('Snippet1</cbc:ID>', 'a < b</cbc:ID>'), /</],
    ['"--" in a comment', base.replace('<cac:Delivery>', '<!-- a -- b --><cac:Delivery>'), /comment/],
    ['XML 1.1', base.replace('version="1.0"', 'version="1.1"'), /version="1.0"/],
    ['garbage in the declaration', base.replace('<?xml version', '<?xml\n! version'), /declaration/],
    ['empty input', '', /no root element/],
    ['not XML at all', '{"invoice": 1}', /outside the root/],
    ['control character', base.replace('Snippet1', 'Snip\u0001pet1'), /U\+0001/],
  ];
  for (const [what, input, message] of cases) {
    const error = rejects(input, 'malformed-xml', message);
    assert.match(error.message, /line \d+/, what);
  }
});

test('deeply nested elements are refused before any recursion can overflow', () => {
  const deep = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</Invoice>`;
  rejects(deep, 'malformed-xml', /deeper than/);
});

test('only UTF-8 is accepted', () => {
  rejects(Buffer.from(base, 'utf16le'), 'malformed-xml', /UTF-16|not well-formed/);
  rejects(
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base, 'utf16le')]),
    'malformed-xml',
    /UTF-16/,
  );
  rejects(base.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'malformed-xml', /ISO-8859-1/);
  const latin1 = Buffer.from(base.replace('Main street 1', 'Rue de l\u2019\u00e9glise'), 'latin1');
  rejects(latin1, 'malformed-xml', /not valid UTF-8/);
});

test('the root must be a UBL 2.1 Invoice or CreditNote in its namespace', () => {
  rejects('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>', 'wrong-root', /Order/);
  rejects(base.replace('xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"', ''), 'wrong-root');
  rejects(
    base.replace(':Invoice-2"', ':CreditNote-2"'), // an Invoice element in the CreditNote namespace
    'wrong-root',
    /CreditNote-2\}Invoice/,
  );
  assert.equal(parseUbl(creditNote).kind, 'credit-note');
});

test('a document without what a delivery needs is refused, naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['number', base.replace('<cbc:ID>Snippet1</cbc:ID>', ''), /^cbc:ID is missing/],
    ['empty number', base.replace('<cbc:ID>Snippet1</cbc:ID>', '<cbc:ID>  </cbc:ID>'), /^cbc:ID is empty/],
    [
      'issue date',
      base.replace('<cbc:IssueDate>2017-11-13</cbc:IssueDate>', ''),
      /^cbc:IssueDate is missing/,
    ],
    [
      'currency',
      base.replace('<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>', ''),
      /DocumentCurrencyCode is missing/,
    ],
    ['amount due', base.replace(/<cbc:PayableAmount[^<]*<\/cbc:PayableAmount>/, ''), /PayableAmount/],
    [
      'supplier name',
      base
        .replace('<cbc:RegistrationName>SupplierOfficialName Ltd</cbc:RegistrationName>', '')
        .replace('<cbc:Name>SupplierTradingName Ltd.</cbc:Name>', ''),
      /supplier name is missing/,
    ],
    [
      'customer name',
      base
        .replace('<cbc:RegistrationName>Buyer Official Name</cbc:RegistrationName>', '')
        .replace('<cbc:Name>BuyerTradingName AS</cbc:Name>', ''),
      /customer name is missing/,
    ],
    [
      'customer',
      base.replace(/<cac:AccountingCustomerParty>[\s\S]*<\/cac:AccountingCustomerParty>/, ''),
      /customer/,
    ],
  ];
  for (const [what, input, message] of cases) {
    const error = rejects(input, 'missing-field', message);
    assert.ok(error.field, `${what} names its field`);
  }
});

test('the trading name stands in for a missing legal name', () => {
  const input = base.replace('<cbc:RegistrationName>SupplierOfficialName Ltd</cbc:RegistrationName>', '');
  assert.equal(parseUbl(input).supplier.name, 'SupplierTradingName Ltd.');
});

test('VAT and enterprise numbers are optional', () => {
  const input = base
    .replace(/<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/g, '')
    .replace('<cbc:CompanyID>GB983294</cbc:CompanyID>', '');
  const parsed = parseUbl(input);
  assert.equal(parsed.supplier.vatNumber, undefined);
  assert.equal(parsed.supplier.enterpriseNumber, undefined);
  assert.equal(parsed.supplier.name, 'SupplierOfficialName Ltd');
});

test('values that are present but wrong are refused as invalid', () => {
  rejects(base.replace('>2017-11-13<', '>13/11/2017<'), 'invalid-field', /cbc:IssueDate must be a date/);
  rejects(base.replace('>2017-11-13<', '>2017-02-30<'), 'invalid-field', /2017-02-30/);
  rejects(base.replace('>2017-12-01<', '>soon<'), 'invalid-field', /cbc:DueDate/);
  rejects(
    base.replace('>EUR</cbc:DocumentCurrencyCode>', '>euro</cbc:DocumentCurrencyCode>'),
    'invalid-field',
    /ISO 4217/,
  );
  rejects(
    base.replace('>1656.25</cbc:PayableAmount>', '>1,656.25</cbc:PayableAmount>'),
    'invalid-field',
    /PayableAmount/,
  );
  rejects(base.replace('>331.25</cbc:TaxAmount>', '>1e3</cbc:TaxAmount>'), 'invalid-field', /TaxAmount/);
  const badPdf = readExample('ubl-be/ublbe131-15000001.xml').toString('utf8').replace('JVBERi0x', 'JV!ERi0x');
  rejects(badPdf, 'invalid-field', /"15000001.pdf".*not valid base64/);
});
