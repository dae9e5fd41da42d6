import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { parseUbl, pdfForDocument } from '../../documents';
import type { InvoiceSummary } from '../../documents/invoice-summary';
import { renderInvoicePdf, winAnsi } from '../../documents/render-pdf';
import { readExample } from './fixtures';

/** Windows-1252 bytes 0x80-0x9F (Node's TextDecoder reads that label as plain Latin-1). */
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';

function winAnsiDecode(bytes: Buffer): string {
  return [...bytes]
    .map((byte) => (byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte)))
    .join('');
}

/** The text drawn in a pdfkit PDF: inflate each content stream, decode its hex and literal strings. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const texts: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1');
    } catch {
      continue; // not a compressed content stream (fonts, metadata)
    }
    for (const array of content.matchAll(/\[(.*?)\]\s*TJ/g)) {
      // pdfkit's standard fonts use WinAnsiEncoding (Windows-1252), e.g. 0x96 for "–".
      const hex = [...array[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) =>
        winAnsiDecode(Buffer.from(m[1]!, 'hex')),
      );
      texts.push(hex.join(''));
    }
  }
  return texts.join('\n');
}

function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;
}

const summary: InvoiceSummary = {
  kind: 'invoice',
  number: 'F2026/0001',
  issueDate: '2026-01-31',
  dueDate: '2026-02-28',
  currency: 'EUR',
  supplier: {
    name: 'Brasserie Ŝtraße & Fils',
    vatNumber: 'BE0000000196',
    address: ['Grote Markt 1', '1000 Brussel', 'BE'],
  },
  customer: { name: 'Klant BV', enterpriseNumber: '0000000295', address: ['Meir 2', '2000 Antwerpen'] },
  lines: [
    {
      id: '1',
      name: 'Consultancy – janvier',
      quantity: '3',
      unitCode: 'HUR',
      price: '100.00',
      amount: '300.00',
    },
    { id: '2', name: '中文 item', quantity: '1', price: '10.00', amount: '10.00' },
  ],
  totals: {
    lineExtension: '310.00',
    taxExclusive: '310.00',
    tax: '65.10',
    taxInclusive: '375.10',
    payable: '375.10',
  },
  generator: 'Relais 0.1.0',
};

test('the generated PDF shows the number, dates, parties, lines and totals', () => {
  const pdf = renderInvoicePdf(summary);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = pdfText(pdf);
  for (const expected of [
    'Invoice F2026/0001',
    'Issue date: 2026-01-31',
    'Due date: 2026-02-28',
    'Brasserie Straße & Fils', // Ŝ is not in Windows-1252: its accent goes
    'VAT: BE0000000196',
    'Registration: 0000000295',
    'Consultancy – janvier',
    '3 HUR',
    '?? item',
    '375.10 EUR',
    'Relais 0.1.0',
  ]) {
    assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  }
});

test('the same summary always gives the same bytes; another one does not', () => {
  assert.ok(renderInvoicePdf(summary).equals(renderInvoicePdf(summary)));
  assert.ok(!renderInvoicePdf(summary).equals(renderInvoicePdf({ ...summary, number: 'F2026/0002' })));
});

test('long invoices continue on further pages', () => {
  const lines = Array.from({ length: 150 }, (_, i) => ({
    id: String(i + 1),
    name: `Line ${i + 1}`,
    amount: '1.00',
  }));
  const pdf = renderInvoicePdf({ ...summary, lines });
  assert.ok(pageCount(pdf) >= 3, `pages: ${pageCount(pdf)}`);
  const text = pdfText(pdf);
  assert.ok(text.includes('Line 150') && text.includes('Amount due'));
  assert.equal(pageCount(renderInvoicePdf(summary)), 1);
});

test('credit notes are titled as such', () => {
  assert.ok(
    pdfText(renderInvoicePdf({ ...summary, kind: 'credit-note' })).includes('Credit note F2026/0001'),
  );
});

test('winAnsi keeps Windows-1252, strips accents it lacks, replaces the rest', () => {
  assert.equal(winAnsi('Café € – “ok”'), 'Café € – “ok”');
  assert.equal(winAnsi('Łódź Őrség'), '?ódz Orség');
  assert.equal(winAnsi('a\tb\nc'), 'a b c');
  assert.equal(winAnsi('😀'), '?');
});

test('pdfForDocument returns the embedded PDF, or a summary of a document without one', () => {
  const withPdf = readExample('ubl-be/ublbe131-15000001.xml');
  assert.ok(
    pdfForDocument(withPdf, { softwareName: 'Relais', softwareVersion: '0.1.0' }).equals(
      parseUbl(withPdf).pdf!.content,
    ),
  );
  const without = readExample('peppol-bis3/base-example.xml');
  const generated = pdfForDocument(without, { softwareName: 'Relais', softwareVersion: '0.1.0' });
  const text = pdfText(generated);
  assert.ok(
    text.includes('Invoice Snippet1') &&
      text.includes('SupplierOfficialName Ltd') &&
      text.includes('1656.25 EUR'),
  );
});
