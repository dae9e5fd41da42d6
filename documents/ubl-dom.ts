import { create } from 'xmlbuilder2';
import { DocumentError } from './document-error';
import { decodeXml } from './xml-decode';
import { assertWellFormed } from './xml-guard';

export const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
} as const;

export type DocumentKind = 'invoice' | 'credit-note';

/*
 * The slice of the W3C DOM we use, typed here so this folder does not depend on the type
 * declarations of xmlbuilder2's internal DOM package (@oozcitak/dom), which is not our dependency.
 */
export interface XmlNode {
  readonly nodeType: number;
  readonly parentNode: XmlNode | null;
  readonly firstChild: XmlNode | null;
  readonly nextSibling: XmlNode | null;
  readonly textContent: string | null;
  insertBefore(node: XmlNode, child: XmlNode | null): XmlNode;
  appendChild(node: XmlNode): XmlNode;
  removeChild(node: XmlNode): XmlNode;
}

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
}

export interface XmlElement extends XmlNode {
  readonly namespaceURI: string | null;
  readonly localName: string;
  readonly prefix: string | null;
  readonly attributes: ArrayLike<XmlAttribute>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  setAttributeNS(namespace: string, qualifiedName: string, value: string): void;
  lookupPrefix(namespace: string | null): string | null;
  lookupNamespaceURI(prefix: string | null): string | null;
}

export interface XmlDocument extends XmlNode {
  readonly documentElement: XmlElement | null;
  createElementNS(namespace: string, qualifiedName: string): XmlElement;
  createTextNode(data: string): XmlNode;
}

export const NODE = { element: 1, text: 3, cdata: 4, processingInstruction: 7, comment: 8 } as const;

export interface UblDom {
  document: XmlDocument;
  root: XmlElement;
  kind: DocumentKind;
}

/** InvoiceLine and CreditNoteLine under any prefix (the DOM checks their namespace when they are counted). */
const LINE_ELEMENT = /^(?:[^:]+:)?(?:InvoiceLine|CreditNoteLine)$/;

/**
 * Decodes, checks and parses a UBL Invoice or CreditNote; every failure is a DocumentError.
 * `withoutLineContent`: the lines are checked like the rest, then loaded as empty elements (still
 * there to count, with their own attributes and namespace). The lines are nearly all of a large
 * invoice, and xmlbuilder2's DOM takes about 25 times the bytes it reads: 550 MB for a 20 MB one.
 */
export function loadUbl(input: Buffer | string, options: { withoutLineContent?: boolean } = {}): UblDom {
  // XML 1.0 section 2.11: line ends are read as "\n"; xmlbuilder2 does not do it for us.
  let xml = decodeXml(input).replace(/\r\n?/g, '\n');
  const lineContent: number[] = [];
  assertWellFormed(
    xml,
    undefined,
    options.withoutLineContent
      ? (name, start, end) => {
          if (end > start && LINE_ELEMENT.test(name)) lineContent.push(start, end);
        }
      : undefined,
  );
  if (lineContent.length > 0) xml = cutOut(xml, lineContent);
  let document: XmlDocument;
  try {
    document = create(xml).node as unknown as XmlDocument;
  } catch (error) {
    // The guard accepted it, so this would be a parser limitation; still the document's problem.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DocumentError('malformed-xml', `The document could not be read as XML: ${reason}`);
  }
  const root = document.documentElement;
  if (!root) throw new DocumentError('malformed-xml', 'The document has no root element.');
  if (root.namespaceURI === NS.invoice && root.localName === 'Invoice')
    return { document, root, kind: 'invoice' };
  if (root.namespaceURI === NS.creditNote && root.localName === 'CreditNote') {
    return { document, root, kind: 'credit-note' };
  }
  const found = root.namespaceURI ? `{${root.namespaceURI}}${root.localName}` : root.localName;
  throw new DocumentError(
    'wrong-root',
    `The root element is ${found}; expected a UBL 2.1 Invoice (${NS.invoice}) or CreditNote (${NS.creditNote}).`,
  );
}

/** `xml` without the ranges [ranges[0], ranges[1]), [ranges[2], ranges[3]), ... (in order, apart). */
function cutOut(xml: string, ranges: number[]): string {
  const kept: string[] = [];
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    kept.push(xml.slice(from, ranges[i]));
    from = ranges[i + 1]!;
  }
  kept.push(xml.slice(from));
  return kept.join('');
}

export function isElement(node: XmlNode | null): node is XmlElement {
  return node !== null && node.nodeType === NODE.element;
}

export function childElements(parent: XmlNode): XmlElement[] {
  const result: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) if (isElement(node)) result.push(node);
  return result;
}

/** A step in a path: `cbc:ID`, `cac:Party`; only the cbc and cac namespaces occur below the root. */
export type Step = `${'cbc' | 'cac'}:${string}`;

function matches(element: XmlElement, step: Step): boolean {
  const [prefix, local] = step.split(':') as ['cbc' | 'cac', string];
  return element.localName === local && element.namespaceURI === NS[prefix];
}

export function children(parent: XmlNode, step: Step): XmlElement[] {
  return childElements(parent).filter((element) => matches(element, step));
}

export function child(parent: XmlNode, step: Step): XmlElement | undefined {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && matches(node, step)) return node;
  }
  return undefined;
}

/** Follows a path of first matches: `find(party, 'cac:PostalAddress', 'cac:Country')`. */
export function find(parent: XmlNode | undefined, ...steps: Step[]): XmlElement | undefined {
  let current: XmlNode | undefined = parent;
  for (const step of steps) {
    if (!current) return undefined;
    current = child(current, step);
  }
  return current as XmlElement | undefined;
}

/** All elements at the end of a path, through every branch: `findAll(root, 'cac:TaxTotal', 'cac:TaxSubtotal')`. */
export function findAll(parent: XmlNode, ...steps: Step[]): XmlElement[] {
  let level: XmlNode[] = [parent];
  for (const step of steps) level = level.flatMap((node) => children(node, step));
  return level as XmlElement[];
}

/** Text content, trimmed; undefined when the element is absent or holds only white space. */
export function textOf(element: XmlElement | undefined): string | undefined {
  const value = element?.textContent?.trim();
  return value ? value : undefined;
}

export function textAt(parent: XmlNode | undefined, ...steps: Step[]): string | undefined {
  return textOf(find(parent, ...steps));
}

/** Every element below `parent` (depth first, document order). */
export function descendants(parent: XmlNode): XmlElement[] {
  const result: XmlElement[] = [];
  const walk = (node: XmlNode): void => {
    for (const element of childElements(node)) {
      result.push(element);
      walk(element);
    }
  };
  walk(parent);
  return result;
}
