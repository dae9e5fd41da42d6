/*
 * The XML guard against inputs built to make it slow (issue 18, point 5): thousands of attributes on
 * one element, thousands of namespace prefixes in scope of thousands of elements. The caps refuse the
 * worst at once; below them, and with the caps lifted, the scan must stay linear. No wall time is
 * asserted here (bench/xml-guard.ts prints it): these check what the guard answers, at sizes where
 * the old quadratic guard took seconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elementsWithAttributes, manyAttributes, manyNamespaces } from './hostile-xml';
import { DocumentError } from '../../documents';
import { assertWellFormed, GUARD_LIMITS, type GuardLimits } from '../../documents/xml-guard';

const NO_LIMITS: GuardLimits = { attributesPerElement: Infinity, namespacesPerElement: Infinity };

function refuses(xml: string, message: RegExp, limits?: GuardLimits): DocumentError {
  try {
    assertWellFormed(xml, limits);
  } catch (error) {
    assert.ok(error instanceof DocumentError, `expected a DocumentError, got ${String(error)}`);
    assert.equal(error.code, 'malformed-xml', error.message);
    assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected the guard to refuse ${xml.slice(0, 80)}…`);
}

test('the limits are 256 attributes and 128 namespace declarations per element', () => {
  assert.deepEqual(GUARD_LIMITS, { attributesPerElement: 256, namespacesPerElement: 128 });
});

test('250 and 256 attributes on one element are accepted, 257 and 40,000 are refused naming the limit', () => {
  assertWellFormed(manyAttributes(250));
  assertWellFormed(manyAttributes(256));
  refuses(
    manyAttributes(257),
    /^The document is refused \(line 1\): the element <r> has more than 256 attributes/,
  );
  const hostile = manyAttributes(40_000);
  assert.ok(hostile.length > 390_000, `${hostile.length} characters, as in the issue`);
  const error = refuses(hostile, /the element <r> has more than 256 attributes; at most 256 are accepted/);
  assert.ok(error.message.length < 300, 'the message does not quote the input');
  // The limit is per element: many elements with 250 attributes each are fine.
  assertWellFormed(elementsWithAttributes(400, 250));
  refuses(`<r><a/><b>${manyAttributes(300)}</b></r>`, /line 1\): the element <r> has more than 256/);
});

test('a duplicate attribute is found wherever it is, and the limit counts distinct names', () => {
  const attributes = Array.from({ length: 255 }, (_, i) => ` a${i}="1"`).join('');
  refuses(`<r${attributes} a254="2"/>`, /the attribute a254 appears twice/);
  refuses(`<r a0="1"${attributes}/>`, /the attribute a0 appears twice/);
  // The same names on two elements are no duplicate.
  assertWellFormed(`<r><c${attributes}/><c${attributes}/></r>`);
  // With the caps lifted, a duplicate at the end of 40,000 is still seen.
  const many = manyAttributes(40_000);
  refuses(many.replace('/>', ' a39999="2"/>'), /the attribute a39999 appears twice/, NO_LIMITS);
  refuses(many.replace('/>', '\n a0="2"/>'), /\(line 2\): the attribute a0 appears twice/, NO_LIMITS);
});

test('128 namespace declarations on one element are accepted, 129 and 10,000 are refused naming the limit', () => {
  assertWellFormed(manyNamespaces(128, 10));
  refuses(manyNamespaces(129, 10), /the element <r> declares more than 128 namespaces/);
  const hostile = manyNamespaces(10_000, 10_000);
  assert.ok(hostile.length > 250_000, `${hostile.length} characters, as in the issue`);
  refuses(hostile, /^The document is refused \(line 1\): the element <r> declares more than 128 namespaces/);
  // A default namespace declaration counts too.
  refuses(manyNamespaces(128, 10).replace('<r', '<r xmlns="urn:d"'), /declares more than 128 namespaces/);
});

test('100 namespace prefixes in scope of 10,000 elements are accepted', () => {
  assertWellFormed(manyNamespaces(100, 10_000));
  // Deeply nested scopes: each level declares its own prefixes and uses its parents'.
  let xml = '';
  for (let depth = 0; depth < 90; depth++) {
    const declarations = Array.from({ length: 100 }, (_, i) => ` xmlns:d${depth}p${i}="u${i}"`).join('');
    xml += `<d${depth}p0:e${declarations}>${depth > 0 ? `<d${depth - 1}p99:x/>` : ''}`;
  }
  for (let depth = 89; depth >= 0; depth--) xml += `</d${depth}p0:e>`;
  assertWellFormed(xml);
});

test('with the caps lifted the scan is linear: the hostile inputs of the issue are read to the end', () => {
  // The quadratic guard took 10 s and 15 s on these; a linear one takes milliseconds. Both are
  // accepted: what matters is that the whole input is scanned, which the checks below confirm.
  assertWellFormed(manyAttributes(40_000), NO_LIMITS);
  assertWellFormed(manyNamespaces(10_000, 10_000), NO_LIMITS);
  for (const scale of [1, 2, 4]) {
    const elements = 2_500 * scale;
    const xml = manyNamespaces(elements, elements);
    assertWellFormed(xml, NO_LIMITS);
    // The last element of the input is still checked against the shared scope.
    refuses(
      xml.replace('</r>', '<undeclared:c/></r>'),
      /the namespace prefix "undeclared" is not declared/,
      NO_LIMITS,
    );
  }
});

test('namespace scopes are shared but still end with their element', () => {
  assertWellFormed('<r xmlns:a="u"><a:b/><c xmlns:b="v"><b:d a:x="1"/></c><a:e/></r>');
  // A declaration on a child does not reach its sibling, self-closing or not.
  refuses('<r><c xmlns:b="v"/><b:d/></r>', /the namespace prefix "b" is not declared/);
  refuses('<r><c xmlns:b="v"></c><b:d/></r>', /the namespace prefix "b" is not declared/);
  // A prefix redeclared inside stays in scope after the inner declaration ends.
  assertWellFormed('<a:r xmlns:a="u"><a:c xmlns:a="v"/><a:c xmlns:a="w"></a:c><a:d/></a:r>');
  refuses('<r><a:c xmlns:a="v"><a:d/></a:c><a:e/></r>', /line 1\): the namespace prefix "a" is not declared/);
  // An element's own declarations count for its name and its attributes, in any order.
  assertWellFormed('<p:r p:x="1" xmlns:p="u"/>');
  refuses('<r p:x="1"/>', /the namespace prefix "p" is not declared/);
  assertWellFormed('<r xml:lang="en"/>');
  refuses('<r xmlns:xmlns="u"/>', /the prefix xmlns cannot be declared/);
  refuses('<r xmlns:p=""/>', /cannot be bound to an empty namespace/);
  refuses('<r xmlns:xml="urn:other"/>', /the xml prefix is reserved/);
  refuses('<r xmlns="http://www.w3.org/2000/xmlns/"/>', /reserved namespace as default/);
});

test('texts and attribute values are checked in place, each within its own bounds', () => {
  // Many short texts before the one that is wrong: each is checked, none reaches past its end.
  const texts = '<t>x</t>'.repeat(10_000);
  assertWellFormed(`<r>${texts}<t>a &amp; b</t></r>`);
  refuses(`<r>${texts}<t>a & b</t></r>`, /a bare "&" must be written &amp;/);
  refuses(`<r>${texts}<t>&nbsp;</t></r>`, /unknown entity "&nbsp;"/);
  refuses(`<r>${texts}<t>a ]]> b</t></r>`, /"]]>" is not allowed in text/);
  assertWellFormed('<r>a<![CDATA[ ]]>b</r>');
  refuses('<r>a<![CDATA[ x ]]>b ]]></r>', /"]]>" is not allowed in text/);
  // In attribute values: the entity name stops at the closing quote, "<" is found only inside.
  refuses('<r a="&x"/>', /unknown entity "&x;"/);
  refuses('<r a="1" b="&" c="2"/>', /a bare "&" must be written &amp;/);
  assertWellFormed(`<r a="1">${'<c b="&lt;"/>'.repeat(1_000)}&lt;</r>`);
  refuses(`<r a="1">${'<c b="2"/>'.repeat(1_000)}<c b="x<y"/></r>`, /"<" is not allowed in the value of b/);
  refuses('<r a="&#0;"/>', /not an XML character/);
  // Text outside the root element.
  refuses('<r/>\n  x', /\(line 2\): text is not allowed outside the root element/);
  assertWellFormed('<?xml version="1.0"?>\n<r/>\n  \n');
});
