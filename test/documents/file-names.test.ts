import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_UPLOAD_TEMPLATE,
  deliveryFileName,
  dropboxPath,
  invoiceTypeOf,
  safeSegment,
  sftpUploadPath,
} from '../../documents';

const REFUSED_BY_TARGETS = /[\\/:*?"<>|\p{Cc}]/u;

test('delivery file names: <date>_<number>_<short id>.xml', () => {
  assert.equal(
    deliveryFileName({ issueDate: '2026-01-31', number: 'F2026/0001', shortId: '3f9a1c2b' }),
    '2026-01-31_F2026_0001_3f9a1c2b.xml',
  );
  assert.equal(
    deliveryFileName({ issueDate: '2026-01-31', number: 'V01/15000001', shortId: 'ab', ext: 'PDF' }),
    '2026-01-31_V01_15000001_ab.pdf',
  );
  assert.equal(
    deliveryFileName({ issueDate: '2026-01-31', number: '../../etc/passwd', shortId: 'x' }),
    '2026-01-31_etc_passwd_x.xml',
  );
  assert.equal(
    deliveryFileName({ issueDate: '2026-01-31', number: 'A:B*C?"D"<E>|F\\G', shortId: 'x' }),
    '2026-01-31_A_B_C_D_E_F_G_x.xml',
  );
  assert.equal(
    deliveryFileName({ issueDate: 'not a date/..', number: '1', shortId: 'x', ext: '../sh' }),
    'not a date_1_x.sh',
  );
});

test('segments: no separators, no climbing, no hidden or Windows-mangled names, unicode normalized', () => {
  assert.equal(safeSegment('..'), '_');
  assert.equal(safeSegment('../..'), '_');
  assert.equal(safeSegment('a..b...c'), 'a.b.c');
  assert.equal(safeSegment('.hidden'), 'hidden');
  assert.equal(safeSegment('name. . '), 'name');
  assert.equal(safeSegment('tab\there\nnewline'), 'tab_here_newline');
  assert.equal(safeSegment('F2026/'), 'F2026');
  assert.equal(safeSegment('a_._b'), 'a_b');
  assert.equal(safeSegment('ACME\u202Egpj.exe'), 'ACME_gpj.exe'); // right-to-left override
  assert.equal(safeSegment('zero\u200Bwidth'), 'zero_width');
  assert.equal(safeSegment('full\uFF0Fwidth\uFF0Esolidus'), 'full_width_solidus');
  assert.equal(safeSegment('Cafe\u0301'), 'Café'); // NFC: e + combining acute -> é
  assert.equal(safeSegment('Müller & Söhne GmbH'), 'Müller & Söhne GmbH');
  assert.equal(safeSegment('CON'), 'CON-');
  assert.equal(safeSegment('com1.txt'), 'com1-.txt');
  assert.equal(safeSegment('nul', 3), '_');
  assert.equal(safeSegment(''), '_');
  assert.equal(safeSegment('x'.repeat(500)).length, 100);
  assert.equal(safeSegment('ab cd', 3), 'ab');
});

test('Dropbox: Invoice_import/<Company>_<VAT>/AP|AR/<file>', () => {
  const fileName = deliveryFileName({ issueDate: '2026-01-31', number: 'F2026/0001', shortId: 'abc' });
  assert.equal(
    dropboxPath({ company: 'ACME N.V.', vat: 'BE0000000196', documentType: 'purchase-invoice', fileName }),
    'Invoice_import/ACME N.V_BE0000000196/AP/2026-01-31_F2026_0001_abc.xml',
  );
  assert.equal(
    dropboxPath({ company: 'ACME/../../x', documentType: 'sales-invoice', fileName: '../evil.xml' }),
    'Invoice_import/ACME_x/AR/evil.xml',
  );
});

test('SFTP folder templates expand [external_id] [uen_number] [invoice_type] [year] inside the base folder', () => {
  const vars = {
    external_id: 'cust-42',
    uen_number: '0000000196',
    invoice_type: invoiceTypeOf('sales-invoice'),
    year: 2026,
  };
  assert.equal(sftpUploadPath(undefined, vars), 'Invoice_import/');
  assert.equal(DEFAULT_UPLOAD_TEMPLATE, 'Invoice_import/');
  assert.equal(
    sftpUploadPath('Invoice_import/[uen_number]/[invoice_type]/[year]/', vars),
    'Invoice_import/0000000196/sales/2026/',
  );
  assert.equal(
    sftpUploadPath('[external_id]-[YEAR]', { ...vars, invoice_type: 'purchases' }),
    'cust-42-2026/',
  );
  assert.equal(
    sftpUploadPath('/../../etc/[external_id]', { ...vars, external_id: '../../root' }),
    'etc/root/',
  );
  assert.equal(sftpUploadPath('C:\\exports\\[year]', vars), 'C/exports/2026/');
  assert.equal(sftpUploadPath('a/[unknown]/b', vars), 'a/unknown/b/');
  assert.equal(sftpUploadPath('', vars), '');
  assert.equal(invoiceTypeOf('purchase-invoice'), 'purchases');
});

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc
    .array(
      fc.constantFrom(
        '.',
        '..',
        '/',
        '\\',
        ' ',
        '\u202E',
        '\u0000',
        'CON',
        'a',
        'é',
        'e\u0301',
        ':',
        '\uFF0F',
        '_',
        // Compatibility forms that NFKC turns into dots and slashes, and invisible ones.
        '\uFF0E',
        '\u2024',
        '\u2215',
        '\u2488',
        '\u200B',
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join('')),
);

test('property: a segment is never empty, never a separator or "..", never refused by targets, and idempotent', () => {
  fc.assert(
    fc.property(hostile, fc.integer({ min: 1, max: 200 }), (value, max) => {
      const segment = safeSegment(value, max);
      assert.ok(segment.length > 0);
      assert.ok([...segment].length <= max);
      assert.ok(!segment.includes('/') && !segment.includes('..'));
      assert.doesNotMatch(segment, REFUSED_BY_TARGETS);
      assert.doesNotMatch(segment, /^[. ]|[. ]$/);
      assert.equal(safeSegment(segment, max), segment);
    }),
    { numRuns: 2000 },
  );
});

test('property: delivery file names and Dropbox paths never contain "/" or "..", are never empty, and are stable', () => {
  fc.assert(
    fc.property(hostile, hostile, hostile, hostile, (number, shortId, company, vat) => {
      const fileName = deliveryFileName({ issueDate: '2026-01-31', number, shortId });
      assert.ok(fileName.length > 0 && fileName.endsWith('.xml'));
      assert.ok(!fileName.includes('/') && !fileName.includes('..'));
      assert.doesNotMatch(fileName, REFUSED_BY_TARGETS);
      assert.equal(safeSegment(fileName, 150), fileName);
      assert.equal(deliveryFileName({ issueDate: '2026-01-31', number, shortId }), fileName);
      // Some targets normalize names (NFD on macOS, NFKC in some sync clients): still one plain name.
      for (const form of ['NFD', 'NFKC', 'NFKD'] as const) {
        const normalized = fileName.normalize(form);
        assert.ok(!/[/\\]/.test(normalized) && normalized !== '..' && !normalized.startsWith('.'), form);
      }
      const path = dropboxPath({ company, vat, documentType: 'purchase-invoice', fileName });
      const segments = path.split('/');
      assert.equal(segments.length, 4);
      assert.deepEqual([segments[0], segments[2], segments[3]], ['Invoice_import', 'AP', fileName]);
      for (const segment of segments)
        assert.ok(segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('..'));
    }),
    { numRuns: 1000 },
  );
});

test('property: SFTP paths stay relative and inside the base folder whatever the template and values', () => {
  fc.assert(
    fc.property(hostile, hostile, hostile, (template, externalId, uen) => {
      const path = sftpUploadPath(template, {
        external_id: externalId,
        uen_number: uen,
        invoice_type: 'sales',
        year: '2026',
      });
      assert.ok(path === '' || path.endsWith('/'));
      assert.ok(!path.startsWith('/') && !path.includes('\\'));
      for (const segment of path.split('/').slice(0, -1)) {
        assert.ok(segment !== '' && segment !== '.' && !segment.includes('..'), `${JSON.stringify(path)}`);
        assert.doesNotMatch(segment, REFUSED_BY_TARGETS);
      }
    }),
    { numRuns: 1000 },
  );
});
