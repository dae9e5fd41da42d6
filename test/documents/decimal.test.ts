import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  compareDecimals,
  divideByHundred,
  formatDecimal,
  isDecimal,
  multiply,
  parseDecimal,
  round,
} from '../../documents/decimal';

test('the xs:decimal lexical space, and nothing else', () => {
  for (const valid of ['0', '12', '-0.5', '+3.', '.25', '1656.25', '-1300', '007.100'])
    assert.ok(isDecimal(valid), valid);
  for (const invalid of ['', '.', '-', '1e3', '1,5', '1.2.3', ' 1', 'NaN', 'Infinity', '0x10', '١٢']) {
    assert.ok(!isDecimal(invalid), invalid);
  }
  assert.throws(() => parseDecimal('1e3'), RangeError);
});

test('arithmetic is exact where floats are not', () => {
  const product = multiply(parseDecimal('0.1'), parseDecimal('0.2'));
  assert.equal(formatDecimal(product), '0.02');
  assert.equal(
    formatDecimal(round(divideByHundred(multiply(parseDecimal('1.005'), parseDecimal('100'))), 2)),
    '1.01',
  );
  assert.equal(formatDecimal(round(parseDecimal('99999999999999999.995'), 2)), '100000000000000000.00');
});

test('rounding is half away from zero', () => {
  const cases: [string, number, string][] = [
    ['2.345', 2, '2.35'],
    ['2.344', 2, '2.34'],
    ['-2.345', 2, '-2.35'],
    ['-0.004', 2, '0.00'],
    ['0.5', 0, '1'],
    ['7', 2, '7.00'],
    ['-0.0', 1, '0.0'],
  ];
  for (const [value, scale, expected] of cases)
    assert.equal(formatDecimal(round(parseDecimal(value), scale)), expected, value);
});

test('property: formatting a parsed decimal keeps its value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 6 }), (units, scale) => {
      const text = formatDecimal({ units, scale });
      assert.ok(isDecimal(text));
      assert.equal(compareDecimals(parseDecimal(text), { units, scale }), 0);
    }),
  );
});
