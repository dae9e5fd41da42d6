import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentError, parseUbl, renderDocument, type OutputFormat } from '../../documents';
import { listExamples, readExample, type Example } from './fixtures';
import { peppolViolations, ublBeViolations } from './ubl-rules';
import { validateUbl } from './xsd';

/* Every published example rendered to both formats, then checked against the XSD and the rules. */

const OPTIONS = { softwareName: 'Relais', softwareVersion: '0.1.0' };
const SOFTWARE = 'Relais 0.1.0';
const FORMATS: OutputFormat[] = ['peppol-bis-3', 'ubl-be-3'];
const SOURCE_FLAVOUR: Record<string, string> = { 'peppol-bis3': 'peppol-bis-3', 'ubl-be': 'ubl-be-3' };

interface Rendering {
  name: string;
  example: Example;
  format: OutputFormat;
  output?: Buffer;
  error?: unknown;
}

const renderings: Rendering[] = listExamples().flatMap((example) =>
  FORMATS.map((format): Rendering => {
    const name = `${example.id} -> ${format}`;
    try {
      return { name, example, format, output: renderDocument(example.bytes, format, OPTIONS) };
    } catch (error) {
      return { name, example, format, error };
    }
  }),
);
const rendered = renderings.filter((r): r is Rendering & { output: Buffer } => r.output !== undefined);
const rewritten = rendered.filter((r) => SOURCE_FLAVOUR[r.example.group] !== r.format);

/**
 * Standard-rate percentages in the source's VAT breakdown and lines, read with a regular
 * expression (not with documents/) to decide independently which examples UBL.BE cannot express.
 */
function foreignStandardRates(xml: Buffer): string[] {
  const categories =
    xml
      .toString('utf8')
      .match(/<cac:(?:Classified)?TaxCategory>[\s\S]*?<\/cac:(?:Classified)?TaxCategory>/g) ?? [];
  return categories
    .filter((block) => /<cbc:ID[^>]*>\s*S\s*</.test(block))
    .map((block) => /<cbc:Percent>\s*([^<]*?)\s*</.exec(block)?.[1] ?? '')
    .filter((percent) => ![0, 6, 12, 21].includes(Number(percent)));
}

test('every example renders to Peppol BIS 3', () => {
  for (const rendering of renderings.filter((r) => r.format === 'peppol-bis-3')) {
    assert.equal(rendering.error, undefined, `${rendering.name}: ${String(rendering.error)}`);
  }
});

test('every example renders to UBL.BE unless it charges VAT at a rate Belgium does not have', () => {
  for (const rendering of renderings.filter((r) => r.format === 'ubl-be-3')) {
    const foreign = foreignStandardRates(rendering.example.bytes);
    if (foreign.length === 0) {
      assert.equal(rendering.error, undefined, `${rendering.name}: ${String(rendering.error)}`);
      continue;
    }
    assert.ok(
      rendering.error instanceof DocumentError,
      `${rendering.name} should be refused (rates ${foreign})`,
    );
    assert.equal(rendering.error.code, 'unsupported-tax-category');
    assert.match(rendering.error.message, /has no Belgian tax code.*Peppol BIS 3 instead/);
  }
  // The refusal must stay the exception, not the rule: Belgian, zero-rated and exempt examples render.
  assert.ok(rendered.filter((r) => r.format === 'ubl-be-3').length >= 14);
});

test('every rendered document is valid against the UBL 2.1 XSD', async () => {
  const results = await validateUbl(
    rendered.map((r) => ({ name: r.name, xml: r.output, kind: parseUbl(r.output).kind })),
  );
  assert.equal(results.size, rendered.length);
  for (const [name, errors] of results) assert.deepEqual(errors, [], name);
});

test('the XSD check does catch a document in the wrong element order', async () => {
  const sample = rewritten.find((r) => r.format === 'ubl-be-3')!.output.toString('utf8');
  const profile = /<cbc:ProfileID>[^<]*<\/cbc:ProfileID>/.exec(sample)![0];
  const swapped = sample
    .replace(profile, '')
    .replace('<cbc:CustomizationID>', `${profile}<cbc:CustomizationID>`);
  const results = await validateUbl([{ name: 'swapped', xml: swapped, kind: 'invoice' }]);
  assert.match(results.get('swapped')!.join('\n'), /CustomizationID'?: This element is not expected/);
});

test('rendered Peppol documents follow the BIS 3 rules we can check in code', () => {
  for (const r of rendered.filter((x) => x.format === 'peppol-bis-3')) {
    assert.deepEqual(peppolViolations(r.output), [], r.name);
  }
});

test('rendered UBL.BE documents follow the GLOBALUBL.BE rules and name our software', () => {
  for (const r of rendered.filter((x) => x.format === 'ubl-be-3')) {
    const violations = ublBeViolations(r.output, SOFTWARE);
    // A UBL.BE source passes through untouched and keeps naming the software that made it.
    const expected = rewritten.includes(r) ? [] : ['UBL.BE reference does not name our software'];
    assert.deepEqual(violations, expected, r.name);
  }
});

test('the rule checks fail on documents that break them', () => {
  const peppolSource = readExample('peppol-bis3/base-example.xml');
  const ublBeChecks = ublBeViolations(peppolSource, SOFTWARE);
  for (const rule of ['ubl-BE-01', 'ubl-BE-02', 'ubl-BE-03', 'ubl-BE-10', 'ubl-BE-14', 'ubl-BE-15']) {
    assert.ok(
      ublBeChecks.some((v) => v.startsWith(rule)),
      rule,
    );
  }
  const peppolChecks = peppolViolations(readExample('ubl-be/ublbe131-15000001.xml'));
  assert.ok(peppolChecks.includes('UBL.BE reference left in'));
  assert.ok(peppolChecks.includes('Belgian tax code 03 left in'));
  const broken = peppolSource
    .toString('utf8')
    .replace('<cbc:Note>', '<cbc:Note/><cbc:Note>')
    .replace('>1656.25</cbc:PayableAmount>', '>1656.255</cbc:PayableAmount>')
    .replace('<cbc:TaxAmount currencyID="EUR">331.25', '<cbc:TaxAmount currencyID="USD">331.25');
  const violations = peppolViolations(broken);
  assert.ok(violations.some((v) => v.startsWith('R008')));
  assert.ok(violations.some((v) => v.startsWith('BR-DEC')));
  assert.ok(violations.some((v) => v.startsWith('currencyID USD')));
  assert.ok(violations.some((v) => v.startsWith('BR-CO-16')));
});

test('a document already in the requested flavour passes through byte for byte', () => {
  const passed = rendered.filter((r) => !rewritten.includes(r));
  assert.equal(passed.length, 9 + 4); // the Peppol examples to Peppol, the UBL.BE ones to UBL.BE
  for (const r of passed) assert.ok(r.output.equals(r.example.bytes), r.name);
  const fromString = renderDocument(passed[0]!.example.bytes.toString('utf8'), passed[0]!.format, OPTIONS);
  assert.ok(fromString.equals(passed[0]!.example.bytes));
});

test('rendering keeps the invoice data: number, dates, parties, currency, totals, lines', () => {
  for (const r of rewritten) {
    const before = parseUbl(r.example.bytes);
    const after = parseUbl(r.output);
    assert.equal(after.flavour, r.format, r.name);
    const pick = (d: typeof before) => ({
      kind: d.kind,
      number: d.number,
      issueDate: d.issueDate,
      dueDate: d.dueDate,
      currency: d.currency,
      supplier: [d.supplier.name, d.supplier.vatNumber, d.supplier.endpointId, d.supplier.country],
      customer: [d.customer.name, d.customer.vatNumber, d.customer.endpointId, d.customer.country],
      totals: d.totals,
      lines: d.lines,
    });
    assert.deepEqual(pick(after), pick(before), r.name);
  }
});

test('every rewritten document carries the PDF: the source one untouched, else a generated summary', () => {
  for (const r of rewritten) {
    const sourcePdf = parseUbl(r.example.bytes).pdf;
    const { pdf, kind } = parseUbl(r.output);
    assert.ok(pdf, r.name);
    assert.equal(pdf.description, kind === 'invoice' ? 'CommercialInvoice' : 'CreditNote', r.name);
    if (sourcePdf) assert.ok(pdf.content.equals(sourcePdf.content), r.name);
    else assert.match(pdf.content.subarray(0, 1024).toString('latin1'), /^%PDF-1\.\d/, r.name);
  }
});

test('a PDF given by the caller replaces the one in the source', () => {
  const pdf = Buffer.from('%PDF-1.7 caller supplied');
  for (const r of rewritten.slice(0, 6)) {
    const output = renderDocument(r.example.bytes, r.format, { ...OPTIONS, pdf });
    assert.ok(parseUbl(output).pdf?.content.equals(pdf), r.name);
  }
});

test('rendering is deterministic and its output is stable under a second rendering', () => {
  for (const r of rewritten) {
    assert.ok(renderDocument(r.example.bytes, r.format, OPTIONS).equals(r.output), `${r.name} twice`);
    assert.ok(renderDocument(r.output, r.format, OPTIONS).equals(r.output), `${r.name} again`);
  }
});
