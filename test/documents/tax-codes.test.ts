import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BELGIAN_TAX_CODES,
  belgianTaxCodeFor,
  detectFlavour,
  isValidBelgianEnterpriseNumber,
  normalizeBelgianEnterpriseNumber,
} from '../../documents';
import { BELGIAN_EXEMPTIONS, vatexForBelgianExemption } from '../../documents/tax-codes';

test('Belgian tax codes from the EN 16931 category and rate', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['S', '21', '03'],
    ['S', '21.00', '03'],
    ['S', '12', '02'],
    ['S', '6', '01'],
    ['S', '0', '00'],
    ['s', ' 6.0 ', '01'],
    ['Z', '0', '00'],
    ['AE', '0', '45'],
    ['E', '0', 'NA'],
    ['O', undefined, 'NS'],
    ['K', '0', '46/GO'],
    ['G', '0', '47/EX'],
    ['S', '25', undefined],
    ['S', '5.5', undefined],
    ['S', undefined, undefined],
    ['S', 'abc', undefined],
    ['L', '7', undefined],
    ['M', '4', undefined],
  ];
  for (const [category, percent, code] of cases) {
    assert.equal(belgianTaxCodeFor(category, percent), code, `${category} ${percent}`);
  }
});

test('every derived code and exemption is in the UBL.BE lists', () => {
  for (const category of ['S', 'Z', 'AE', 'E', 'O', 'K', 'G']) {
    const code = belgianTaxCodeFor(category, category === 'S' ? '21' : '0')!;
    assert.ok((BELGIAN_TAX_CODES as readonly string[]).includes(code), code);
  }
  for (const [code, exemption] of Object.entries(BELGIAN_EXEMPTIONS)) {
    assert.ok((BELGIAN_TAX_CODES as readonly string[]).includes(code), code);
    assert.equal(exemption!.code, code === 'NA' ? 'BETE-EX' : `BETE-${code}`);
  }
});

test('UBL.BE exemption codes become VATEX only where the VAT category agrees', () => {
  assert.equal(vatexForBelgianExemption('BETE-45', 'AE'), 'VATEX-EU-AE');
  assert.equal(vatexForBelgianExemption('bete-46/go', 'k'), 'VATEX-EU-IC');
  assert.equal(vatexForBelgianExemption('BETE-47/EX', 'G'), 'VATEX-EU-G');
  assert.equal(vatexForBelgianExemption('BETE-NS', 'O'), 'VATEX-EU-O');
  assert.equal(vatexForBelgianExemption('BETE-46/GO', 'E'), undefined);
  assert.equal(vatexForBelgianExemption('BETE-EX', 'E'), undefined);
});

test('Belgian enterprise numbers: shape and mod-97 check digits', () => {
  assert.equal(normalizeBelgianEnterpriseNumber('BE 0827.405.743'), '0827405743');
  assert.equal(normalizeBelgianEnterpriseNumber('827405743'), '0827405743');
  assert.equal(normalizeBelgianEnterpriseNumber('BE08274057'), undefined);
  assert.ok(isValidBelgianEnterpriseNumber('0000000196'));
  assert.ok(isValidBelgianEnterpriseNumber('0000000295'));
  assert.ok(!isValidBelgianEnterpriseNumber('0000000197'));
  assert.ok(!isValidBelgianEnterpriseNumber('2000000196'));
  // 97 - (08274057 mod 97) = 43
  assert.ok(isValidBelgianEnterpriseNumber('0827405743'));
});

test('flavours are told apart by CustomizationID, case-insensitively', () => {
  assert.equal(
    detectFlavour('urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'),
    'peppol-bis-3',
  );
  assert.equal(
    detectFlavour(' URN:CEN.EU:EN16931:2017#COMPLIANT#URN:FDC:PEPPOL.EU:2017:POACC:BILLING:3.0 '),
    'peppol-bis-3',
  );
  assert.equal(detectFlavour('urn:cen.eu:en16931:2017#conformant#urn:UBL.BE:1.0.0.20180214'), 'ubl-be-3');
  assert.equal(detectFlavour('urn:cen.eu:en16931:2017#conformant#urn:ubl.be:1.0.0.20180214'), 'ubl-be-3');
  assert.equal(
    detectFlavour(
      'urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol4a:ver2.0',
    ),
    'efff-v3',
  );
  assert.equal(detectFlavour('urn:cen.eu:en16931:2017'), 'en16931');
  // A CIUS built on Peppol is another specification: it must not pass through as Peppol.
  assert.equal(
    detectFlavour(
      'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0#conformant#urn:x',
    ),
    'en16931',
  );
  assert.equal(detectFlavour('urn:oioubl:2.1'), 'unknown');
  assert.equal(detectFlavour(undefined), 'unknown');
});
