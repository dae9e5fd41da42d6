import { NS, childElements, type XmlDocument, type XmlElement } from './ubl-dom';
import { SEQUENCES, type ChildName, type SequenceName } from './ubl-sequences';

export { SEQUENCES, type ChildName, type SequenceName } from './ubl-sequences';

/*
 * UBL's schema fixes the order of children (xs:sequence): an element we add must go where the XSD
 * expects it, not at the end.
 */

const EXT = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

const PREFIX_OF: Record<string, string> = { [NS.cbc]: 'cbc', [NS.cac]: 'cac', [EXT]: 'ext' };
const NAMESPACE_OF: Record<string, string> = { cbc: NS.cbc, cac: NS.cac, ext: EXT };

/** The conventional qualified name (cbc:/cac:/ext:) whatever prefix the document uses. */
export function conventionalName(element: XmlElement): string {
  const prefix = element.namespaceURI ? PREFIX_OF[element.namespaceURI] : undefined;
  return prefix ? `${prefix}:${element.localName}` : element.localName;
}

/**
 * Inserts `element` into `parent` where the sequence puts it: after existing siblings of the same
 * name (or before them with `first`), before the first sibling that must come later.
 */
export function insertInOrder(
  parent: XmlElement,
  element: XmlElement,
  sequence: SequenceName,
  placement: 'first' | 'last' = 'last',
): XmlElement {
  const order: readonly string[] = SEQUENCES[sequence];
  const rank = order.indexOf(conventionalName(element));
  if (rank < 0) throw new Error(`${conventionalName(element)} is not a child of ${sequence}`);
  const before = childElements(parent).find((sibling) => {
    const siblingRank = order.indexOf(conventionalName(sibling));
    return placement === 'first' ? siblingRank >= rank : siblingRank > rank;
  });
  parent.insertBefore(element, before ?? null);
  return element;
}

/**
 * Creates a UBL element with the prefix the document already uses for its namespace, declaring the
 * conventional one on the root when the document has none (the serializer writes declarations as
 * they are in the DOM).
 */
export function createElement(document: XmlDocument, name: ChildName, text?: string): XmlElement {
  const [conventional, local] = name.split(':') as [string, string];
  const namespace = NAMESPACE_OF[conventional]!;
  const root = document.documentElement!;
  let qualified = name as string;
  const prefix = root.lookupPrefix(namespace);
  if (prefix) qualified = `${prefix}:${local}`;
  else if (root.lookupNamespaceURI(null) === namespace) qualified = local;
  else root.setAttributeNS(XMLNS, `xmlns:${conventional}`, namespace);
  const element = document.createElementNS(namespace, qualified);
  if (text !== undefined) element.appendChild(document.createTextNode(text));
  return element;
}

/** Replaces the text of an element (creating nothing): used for values we rewrite in place. */
export function setText(document: XmlDocument, element: XmlElement, text: string): void {
  while (element.firstChild) element.removeChild(element.firstChild);
  element.appendChild(document.createTextNode(text));
}
