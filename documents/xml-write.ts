import { NODE, isElement, type XmlDocument, type XmlElement, type XmlNode } from './ubl-dom';

/*
 * Our own serializer for rewritten documents. xmlbuilder2's writer leaves "&name;" sequences in
 * text unescaped (it assumes they are entity references), so a supplier name containing the
 * literal text "&copy;" would come out as an undefined entity and break the file. Here every "&"
 * is escaped, prefixes and namespace declarations are written exactly as the DOM holds them, and
 * element-only content is indented for people who open the file.
 */

const INDENT = '  ';

export function serializeXml(document: XmlDocument): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  for (let node = document.firstChild; node; node = node.nextSibling) {
    const markup = isElement(node) ? element(node, 0) : other(node);
    if (markup) out.push(markup);
  }
  return `${out.join('\n')}\n`;
}

function qualifiedName(node: XmlElement): string {
  return node.prefix ? `${node.prefix}:${node.localName}` : node.localName;
}

function element(node: XmlElement, depth: number): string {
  const name = qualifiedName(node);
  let attributes = '';
  for (let i = 0; i < node.attributes.length; i++) {
    const attribute = node.attributes[i]!;
    attributes += ` ${attribute.name}="${escapeAttribute(attribute.value)}"`;
  }
  const content: XmlNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) content.push(child);
  if (content.length === 0) return `<${name}${attributes}/>`;
  const hasElements = content.some(isElement);
  const hasText = content.some((child) => isText(child) && (child.textContent ?? '').trim() !== '');
  if (!hasElements || hasText) {
    // Text (or mixed) content is written verbatim: indenting it would change the value.
    return `<${name}${attributes}>${content.map((child) => inline(child, depth)).join('')}</${name}>`;
  }
  const indent = INDENT.repeat(depth + 1);
  const lines = content
    .filter((child) => !isText(child))
    .map((child) => `${indent}${isElement(child) ? element(child, depth + 1) : other(child)}`);
  return `<${name}${attributes}>\n${lines.join('\n')}\n${INDENT.repeat(depth)}</${name}>`;
}

function inline(node: XmlNode, depth: number): string {
  if (isText(node)) return escapeText(node.textContent ?? '');
  if (isElement(node)) return element(node, depth + 1);
  return other(node);
}

function isText(node: XmlNode): boolean {
  return node.nodeType === NODE.text || node.nodeType === NODE.cdata;
}

function other(node: XmlNode): string {
  if (node.nodeType === NODE.comment) return `<!--${node.textContent ?? ''}-->`;
  if (node.nodeType === NODE.processingInstruction) {
    const { target } = node as XmlNode & { target: string };
    const data = node.textContent ?? '';
    return data ? `<?${target} ${data}?>` : `<?${target}?>`;
  }
  return isText(node) ? escapeText(node.textContent ?? '') : '';
}

export function escapeText(value: string): string {
  // ">" too, so that "]]>" in data never appears; "\r" as a reference so parsers do not normalize it away.
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
