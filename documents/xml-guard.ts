import { DocumentError } from './document-error';

/*
 * Gatekeeper run before any XML parser sees a document.
 *
 * xmlbuilder2's reader is lenient by design: it accepts mismatched end tags, duplicate attributes,
 * undeclared prefixes and unknown entities, and it would read a DOCTYPE. A document we forward to an
 * accounting service must be well-formed, and a document from outside must never make us resolve
 * entities (billion laughs, external entities). So this module refuses DTDs outright and checks
 * well-formedness (XML 1.0 + namespaces) itself; only then is the text handed to xmlbuilder2.
 */

/** UBL nests about 10 levels deep; anything far deeper is an attack on our recursion, not an invoice. */
const MAX_DEPTH = 100;

const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
/** A qualified name: optional prefix, local part; sticky so it can be matched at an offset. */
// eslint-disable-next-line no-misleading-character-class -- XML's NameChar includes combining marks on purpose.
const QNAME_AT = new RegExp(`(${NCNAME})(?::(${NCNAME}))?`, 'uy');
// eslint-disable-next-line no-misleading-character-class -- as above.
const PI_TARGET_AT = new RegExp(`${NCNAME}`, 'uy');
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const REFERENCE_AT = /&(?:(lt|gt|amp|apos|quot)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const S = '[ \\t\\r\\n]';
/** XML 1.0 production [23] XMLDecl, with version 1.0 only (xmlbuilder2 reads nothing else). */
const XML_DECLARATION = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(["'])1\\.0\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])[A-Za-z][A-Za-z0-9._-]*\\2)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\3)?${S}*\\?>$`,
);
const DTD_MARKUP = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

interface OpenElement {
  name: string;
  namespaces: Map<string, string>;
}

/** Throws a DocumentError unless `xml` is a well-formed, namespace-well-formed XML 1.0 document without DTD. */
export function assertWellFormed(xml: string): void {
  const dtd = DTD_MARKUP.exec(xml);
  if (dtd) {
    throw new DocumentError(
      'dtd-forbidden',
      `The document contains a <!${dtd[1]!.toUpperCase()}> declaration at line ${lineOf(xml, dtd.index)}; ` +
        'DTDs and entity declarations are refused.',
    );
  }
  const invalid = INVALID_CHAR.exec(xml);
  if (invalid) {
    const code = invalid[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    fail(xml, invalid.index, `the character U+${code} is not allowed in XML`);
  }
  new Scanner(xml).run();
}

class Scanner {
  private pos = 0;
  private readonly stack: OpenElement[] = [];
  private rootSeen = false;

  constructor(private readonly xml: string) {}

  run(): void {
    const { xml } = this;
    this.declaration();
    while (this.pos < xml.length) {
      const lt = xml.indexOf('<', this.pos);
      const textEnd = lt < 0 ? xml.length : lt;
      if (textEnd > this.pos) this.text(this.pos, textEnd);
      if (lt < 0) break;
      this.pos = lt;
      const next = xml[lt + 1];
      if (next === '?') this.processingInstruction();
      else if (next === '!') this.bang();
      else if (next === '/') this.endTag();
      else this.startTag();
    }
    const open = this.stack.at(-1);
    if (open) fail(xml, xml.length, `<${open.name}> is never closed`);
    if (!this.rootSeen) fail(xml, xml.length, 'the document has no root element');
  }

  private declaration(): void {
    const { xml } = this;
    if (!/^<\?xml[\s?]/.test(xml)) return;
    const end = xml.indexOf('?>');
    if (end < 0) fail(xml, 0, 'the XML declaration is not closed');
    const declaration = xml.slice(0, end + 2);
    const version = /\bversion\s*=\s*(["'])([^"']*)\1/.exec(declaration);
    if (!version || version[2] !== '1.0') fail(xml, 0, 'the XML declaration must say version="1.0"');
    const encoding = /\bencoding\s*=\s*(["'])([^"']*)\1/.exec(declaration);
    if (encoding && !/^utf-?8$/i.test(encoding[2]!)) {
      throw new DocumentError(
        'malformed-xml',
        `The document declares the encoding "${encoding[2]}"; UBL documents must be encoded in UTF-8.`,
      );
    }
    if (!XML_DECLARATION.test(declaration)) fail(xml, 0, 'the XML declaration is malformed');
    this.pos = end + 2;
  }

  private text(start: number, end: number): void {
    const { xml } = this;
    if (this.stack.length === 0) {
      const stray = /[^ \t\r\n]/.exec(xml.slice(start, end));
      if (stray) fail(xml, start + stray.index, 'text is not allowed outside the root element');
      return;
    }
    const chunk = xml.slice(start, end);
    const cdataEnd = chunk.indexOf(']]>');
    if (cdataEnd >= 0) fail(xml, start + cdataEnd, '"]]>" is not allowed in text');
    this.references(chunk, start);
  }

  /** Only the five predefined entities and character references exist without a DTD. */
  private references(chunk: string, offset: number): void {
    let amp = chunk.indexOf('&');
    while (amp >= 0) {
      REFERENCE_AT.lastIndex = amp;
      const ref = REFERENCE_AT.exec(chunk);
      if (!ref) {
        const name = /^&([^;\s<&]{0,40});?/.exec(chunk.slice(amp))?.[1] ?? '';
        fail(
          this.xml,
          offset + amp,
          name ? `unknown entity "&${name};"` : 'a bare "&" must be written &amp;',
        );
      }
      if (!ref[1]) {
        const code = ref[2] !== undefined ? parseInt(ref[2], 10) : parseInt(ref[3]!, 16);
        const char = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
        if (INVALID_CHAR.test(char) || (code >= 0xd800 && code <= 0xdfff)) {
          fail(this.xml, offset + amp, `the character reference "${ref[0]}" is not an XML character`);
        }
      }
      amp = chunk.indexOf('&', amp + ref[0].length);
    }
  }

  private processingInstruction(): void {
    const { xml } = this;
    const start = this.pos;
    PI_TARGET_AT.lastIndex = start + 2;
    const target = PI_TARGET_AT.exec(xml);
    if (!target) fail(xml, start, 'a processing instruction needs a target name');
    if (target[0].toLowerCase() === 'xml')
      fail(xml, start, 'the XML declaration is only allowed at the very start');
    const end = xml.indexOf('?>', PI_TARGET_AT.lastIndex);
    if (end < 0) fail(xml, start, 'a processing instruction is not closed');
    const after = xml[PI_TARGET_AT.lastIndex];
    if (end !== PI_TARGET_AT.lastIndex && !isXmlSpace(after)) {
      fail(xml, start, 'a processing instruction target must be followed by a space');
    }
    this.pos = end + 2;
  }

  private bang(): void {
    const { xml } = this;
    const start = this.pos;
    if (xml.startsWith('<!--', start)) {
      const end = xml.indexOf('-->', start + 4);
      if (end < 0) fail(xml, start, 'a comment is not closed');
      const body = xml.slice(start + 4, end);
      if (body.includes('--') || body.endsWith('-')) fail(xml, start, '"--" is not allowed inside a comment');
      this.pos = end + 3;
      return;
    }
    if (xml.startsWith('<![CDATA[', start)) {
      if (this.stack.length === 0) fail(xml, start, 'CDATA is not allowed outside the root element');
      const end = xml.indexOf(']]>', start + 9);
      if (end < 0) fail(xml, start, 'a CDATA section is not closed');
      this.pos = end + 3;
      return;
    }
    fail(xml, start, 'unexpected "<!" markup');
  }

  private endTag(): void {
    const { xml } = this;
    const start = this.pos;
    QNAME_AT.lastIndex = start + 2;
    const name = QNAME_AT.exec(xml);
    if (!name) fail(xml, start, 'an end tag needs an element name');
    const close = /[ \t\r\n]*>/y;
    close.lastIndex = QNAME_AT.lastIndex;
    if (!close.exec(xml)) fail(xml, start, `the end tag </${name[0]}> is not closed properly`);
    const open = this.stack.pop();
    if (!open) fail(xml, start, `</${name[0]}> closes nothing`);
    if (open.name !== name[0]) fail(xml, start, `</${name[0]}> does not match <${open.name}>`);
    this.pos = close.lastIndex;
  }

  private startTag(): void {
    const { xml } = this;
    const start = this.pos;
    if (this.rootSeen && this.stack.length === 0) fail(xml, start, 'only one root element is allowed');
    QNAME_AT.lastIndex = start + 1;
    const name = QNAME_AT.exec(xml);
    if (!name) fail(xml, start, 'a "<" must start a tag (write &lt; in text)');
    let pos = QNAME_AT.lastIndex;
    const attributes: { name: string; prefix?: string; at: number }[] = [];
    const namespaces = new Map<string, string>();
    let selfClosing = false;
    for (;;) {
      const spaceStart = pos;
      while (pos < xml.length && isXmlSpace(xml[pos])) pos++;
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        selfClosing = true;
        break;
      }
      if (pos >= xml.length) fail(xml, start, `the tag <${name[0]}> is not closed`);
      if (pos === spaceStart) fail(xml, pos, 'attributes must be separated by white space');
      QNAME_AT.lastIndex = pos;
      const attr = QNAME_AT.exec(xml);
      if (!attr) fail(xml, pos, `invalid attribute name in <${name[0]}>`);
      const eq = /[ \t\r\n]*=[ \t\r\n]*(["'])/y;
      eq.lastIndex = QNAME_AT.lastIndex;
      const quote = eq.exec(xml);
      if (!quote) fail(xml, pos, `the attribute ${attr[0]} needs a quoted value`);
      const valueEnd = xml.indexOf(quote[1]!, eq.lastIndex);
      if (valueEnd < 0) fail(xml, pos, `the value of ${attr[0]} is not closed`);
      const value = xml.slice(eq.lastIndex, valueEnd);
      if (value.includes('<')) fail(xml, pos, `"<" is not allowed in the value of ${attr[0]}`);
      this.references(value, eq.lastIndex);
      if (attributes.some((a) => a.name === attr[0]))
        fail(xml, pos, `the attribute ${attr[0]} appears twice`);
      attributes.push({ name: attr[0], prefix: attr[2] !== undefined ? attr[1] : undefined, at: pos });
      if (attr[0] === 'xmlns' || attr[1] === 'xmlns') this.declare(attr, value, namespaces, pos);
      pos = valueEnd + 1;
    }
    const scope = new Map([...(this.stack.at(-1)?.namespaces ?? []), ...namespaces]);
    if (name[2] !== undefined) this.requirePrefix(name[1]!, scope, start);
    for (const attribute of attributes) {
      if (attribute.prefix !== undefined && attribute.prefix !== 'xmlns') {
        this.requirePrefix(attribute.prefix, scope, attribute.at);
      }
    }
    this.rootSeen = true;
    this.pos = pos;
    if (selfClosing) return;
    if (this.stack.length >= MAX_DEPTH)
      fail(xml, start, `elements are nested deeper than ${MAX_DEPTH} levels`);
    this.stack.push({ name: name[0], namespaces: scope });
  }

  private declare(attr: RegExpExecArray, value: string, namespaces: Map<string, string>, at: number): void {
    if (attr[0] === 'xmlns') {
      if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE)
        fail(this.xml, at, 'reserved namespace as default');
      return;
    }
    const prefix = attr[2]!;
    if (prefix === 'xmlns') fail(this.xml, at, 'the prefix xmlns cannot be declared');
    if (value === '') fail(this.xml, at, `the prefix ${prefix} cannot be bound to an empty namespace`);
    if ((prefix === 'xml') !== (value === XML_NAMESPACE)) fail(this.xml, at, 'the xml prefix is reserved');
    namespaces.set(prefix, value);
  }

  private requirePrefix(prefix: string, scope: Map<string, string>, at: number): void {
    if (prefix !== 'xml' && !scope.has(prefix))
      fail(this.xml, at, `the namespace prefix "${prefix}" is not declared`);
  }
}

function isXmlSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function lineOf(xml: string, index: number): number {
  let line = 1;
  for (let i = xml.indexOf('\n'); i >= 0 && i < index; i = xml.indexOf('\n', i + 1)) line++;
  return line;
}

function fail(xml: string, index: number, what: string): never {
  throw new DocumentError(
    'malformed-xml',
    `The document is not well-formed XML (line ${lineOf(xml, index)}): ${what}.`,
  );
}
