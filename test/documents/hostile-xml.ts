/*
 * XML shaped to make a well-formedness check slow (issue 18, point 5), for test/documents/xml-guard.test.ts,
 * test/integration/hostile-xml.test.ts and bench/xml-guard.ts.
 */

/** A root element carrying `count` attributes a0="1" … (40,000 of them: about 420 KB). */
export function manyAttributes(count: number): string {
  const attributes: string[] = [];
  for (let i = 0; i < count; i++) attributes.push(` a${i}="1"`);
  return `<r${attributes.join('')}/>`;
}

/** `elements` children, each with `perElement` attributes: the work of accepted documents. */
export function elementsWithAttributes(elements: number, perElement: number): string {
  const attributes: string[] = [];
  for (let i = 0; i < perElement; i++) attributes.push(` a${i}="1"`);
  const child = `<c${attributes.join('')}/>`;
  return `<r>${child.repeat(elements)}</r>`;
}

/** A root declaring `prefixes` namespace prefixes, with `elements` prefixed children. */
export function manyNamespaces(prefixes: number, elements: number): string {
  const declarations: string[] = [];
  for (let i = 0; i < prefixes; i++) declarations.push(` xmlns:p${i}="u${i}"`);
  const children: string[] = [];
  for (let i = 0; i < elements; i++) children.push(`<p${i % prefixes}:c/>`);
  return `<r${declarations.join('')}>${children.join('')}</r>`;
}
