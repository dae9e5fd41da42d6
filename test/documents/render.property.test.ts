import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DocumentError, parseUbl, renderDocument } from '../../documents';
import { readExample } from './fixtures';

const sources = [
  'cen-en16931/ubl-tc434-example1.xml',
  'cen-en16931/ubl-tc434-creditnote1.xml',
  'efff-v3/efff3-wings-15000001.xml',
  'peppol-bis3/vat-category-E.xml',
].map((id) => readExample(id).toString('utf8'));

const PIECES = [
  '<',
  '>',
  '</',
  '&amp;',
  '"',
  '<cbc:Percent>21</cbc:Percent>',
  '<cbc:Name>',
  '</cbc:Name>',
  '<cac:TaxTotal>',
  '</cac:TaxTotal>',
  '<cbc:Note>',
  '</cbc:Note>',
  '<cac:Delivery>',
  '</cac:Delivery>',
  '<cbc:LineExtensionAmount currencyID="EUR">x</cbc:LineExtensionAmount>',
  '1.5',
];
const edit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 30 }),
  insert: fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })), { maxLength: 5 })
    .map((parts) => parts.join('')),
});

test('property: on damaged documents renderDocument refuses with a DocumentError or renders something parseUbl accepts', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: sources.length - 1 }),
      fc.constantFrom('peppol-bis-3' as const, 'ubl-be-3' as const),
      fc.array(edit, { minLength: 1, maxLength: 3 }),
      (index, format, edits) => {
        let source = sources[index]!;
        for (const { at, remove, insert } of edits) {
          const position = at % (source.length + 1);
          source = source.slice(0, position) + insert + source.slice(position + remove);
        }
        let output: Buffer;
        try {
          output = renderDocument(source, format, { softwareName: 'Relais', softwareVersion: '0.1.0' });
        } catch (error) {
          assert.ok(error instanceof DocumentError, String(error));
          return;
        }
        assert.equal(parseUbl(output).number, parseUbl(source).number);
      },
    ),
    { numRuns: 400 },
  );
});
