import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUbl } from '../../documents';
import { sampleInvoice } from '../../documents/sample-invoice';
import { peppolViolations } from './ubl-rules';
import { validateUbl } from './xsd';

const samples = [
  { name: 'invoice', kind: 'invoice' as const, xml: sampleInvoice({ number: 'S/1', lines: 4 }) },
  { name: 'invoice with PDF', kind: 'invoice' as const, xml: sampleInvoice({ number: 'S/2', pdf: true }) },
  {
    name: 'credit note with PDF',
    kind: 'credit-note' as const,
    xml: sampleInvoice({ number: 'S/3', kind: 'credit-note', pdf: true, issueDate: '2026-12-30' }),
  },
];

test('the project’s own sample invoices are valid UBL 2.1 and Peppol BIS 3', async () => {
  const errors = await validateUbl(samples.map(({ name, kind, xml }) => ({ name, kind, xml })));
  for (const { name, xml } of samples) {
    assert.deepEqual(errors.get(name), [], `${name}: XSD errors`);
    assert.deepEqual(peppolViolations(xml), [], `${name}: Peppol rules`);
  }
});

test('a sample invoice carries the number, date, lines and (when asked) its PDF', () => {
  const plain = parseUbl(samples[0]!.xml);
  assert.equal(plain.flavour, 'peppol-bis-3');
  assert.equal(plain.number, 'S/1');
  assert.equal(plain.lines, 4);
  assert.equal(plain.pdf, undefined);

  const credit = parseUbl(samples[2]!.xml);
  assert.equal(credit.kind, 'credit-note');
  assert.equal(credit.issueDate, '2026-12-30');
  assert.ok(credit.pdf, 'the PDF is embedded');
  assert.equal(Buffer.from(credit.pdf.content).subarray(0, 5).toString('latin1'), '%PDF-');
});
