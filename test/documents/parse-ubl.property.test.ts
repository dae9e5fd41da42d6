import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DocumentError, parseUbl } from '../../documents';
import { readExample } from './fixtures';

const base = readExample('peppol-bis3/base-example.xml').toString('utf8');

/**
 * parseUbl's contract: a ParsedDocument or a DocumentError, never any other exception. Stricter
 * than that, the error must come from our own checks: parseUbl also wraps unexpected exceptions
 * (xmlbuilder2's, or a bug) into "could not be read" DocumentErrors as a last line of defence,
 * and reaching that line means the guard let something through that it should have explained.
 */
function onlyDocumentErrors(input: Buffer | string): void {
  try {
    parseUbl(input);
  } catch (error) {
    if (!(error instanceof DocumentError)) {
      assert.fail(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    assert.doesNotMatch(error.message, /could not be read/);
  }
}

const XML_PIECES = [
  '<',
  '>',
  '/>',
  '</',
  '&',
  '&amp;',
  '&#x',
  '&#1;',
  ';',
  '"',
  "'",
  '=',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?x ',
  '?>',
  '<!DOCTYPE',
  '<!ENTITY',
  'xmlns:cbc="x"',
  'xmlns=""',
  '<cbc:ID>',
  '</cbc:ID>',
  '<cac:Party>',
  '</Invoice>',
  ':',
  ' ',
  '\u0000',
  '\ud800',
  '\uffff',
  'é',
  '𝄞',
];

const noise = fc
  .array(fc.oneof(fc.constantFrom(...XML_PIECES), fc.string({ maxLength: 4 })), { maxLength: 8 })
  .map((pieces) => pieces.join(''));

test('random text never makes parseUbl throw anything but a DocumentError', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyDocumentErrors), { numRuns: 500 });
  fc.assert(fc.property(noise, onlyDocumentErrors), { numRuns: 1000 });
});

test('random bytes never make parseUbl throw anything but a DocumentError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyDocumentErrors(Buffer.from(bytes))),
    { numRuns: 500 },
  );
});

test('a valid invoice with random edits never makes parseUbl throw anything but a DocumentError', () => {
  const edit = fc.record({
    at: fc.nat({ max: base.length }),
    remove: fc.nat({ max: 40 }),
    insert: noise,
  });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      let mutated = base;
      for (const { at, remove, insert } of edits) {
        const position = Math.min(at, mutated.length);
        mutated = mutated.slice(0, position) + insert + mutated.slice(position + remove);
      }
      onlyDocumentErrors(mutated);
      onlyDocumentErrors(Buffer.from(mutated, 'utf8'));
    }),
    { numRuns: 1500 },
  );
});

test('a truncated invoice is refused as malformed, wherever it is cut', () => {
  fc.assert(
    fc.property(fc.nat({ max: base.lastIndexOf('</Invoice>') - 1 }), (length) => {
      assert.throws(
        () => parseUbl(base.slice(0, length)),
        (error: unknown) => error instanceof DocumentError && error.code === 'malformed-xml',
      );
    }),
    { numRuns: 300 },
  );
});

const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

test('any invoice number and supplier name survive escaping and come back exactly (trimmed)', () => {
  const value = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 60 })
    .filter((text) => XML_CHAR.test(text) && text.trim() !== '');
  fc.assert(
    fc.property(value, value, (number, name) => {
      const source = base
        .replace('<cbc:ID>Snippet1</cbc:ID>', `<cbc:ID>${escape(number)}</cbc:ID>`)
        .replace('SupplierOfficialName Ltd', escape(name));
      const parsed = parseUbl(source);
      assert.equal(parsed.number, number.trim());
      assert.equal(parsed.supplier.name, name.trim());
    }),
    { numRuns: 500 },
  );
});
