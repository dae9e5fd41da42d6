import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sampleInvoice } from '../documents/sample-invoice';

/**
 * `npm run sample-invoice -- --number F2026/0042 [--lines 5] [--pdf] [--credit-note] [--date 2026-03-01] [--out file.xml]`
 * writes a valid Belgian Peppol BIS 3 invoice of the project's own making (to stdout without --out).
 */
const { values } = parseArgs({
  options: {
    number: { type: 'string', default: `F${new Date().getFullYear()}/0001` },
    lines: { type: 'string', default: '3' },
    date: { type: 'string' },
    pdf: { type: 'boolean', default: false },
    'credit-note': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const lines = Number(values.lines);
if (!Number.isInteger(lines) || lines < 1 || lines > 100_000) {
  process.stderr.write('--lines must be a whole number from 1 to 100000\n');
  process.exit(2);
}
if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
  process.stderr.write('--date must be YYYY-MM-DD\n');
  process.exit(2);
}
const xml = sampleInvoice({
  number: values.number,
  lines,
  pdf: values.pdf,
  ...(values.date ? { issueDate: values.date } : {}),
  ...(values['credit-note'] ? { kind: 'credit-note' as const } : {}),
});
if (values.out) writeFileSync(values.out, xml);
else process.stdout.write(xml);
