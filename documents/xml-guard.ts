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

export interface GuardLimits {
  /** UBL elements carry a handful of attributes; thousands on one element are an attack on the parser. */
  attributesPerElement: number;
  /** A UBL root declares about ten namespaces; more on one element than this is not an invoice. */
  namespacesPerElement: number;
}

export const GUARD_LIMITS: Readonly<GuardLimits> = { attributesPerElement: 256, namespacesPerElement: 128 };

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
/** What follows a "&" that is not a reference, for the message (reads at most 41 characters). */
const ENTITY_NAME_AT = /&([^;\s<&]{0,40})/y;
const NOT_SPACE = /[^ \t\r\n]/g;
const ATTRIBUTE_EQUALS_AT = /[ \t\r\n]*=[ \t\r\n]*(["'])/y;
const END_TAG_CLOSE_AT = /[ \t\r\n]*>/y;
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
  /** The prefixes this element declares: taken out of scope again when it closes. */
  declared: string[] | undefined;
  /** Where its content starts (just after its start tag). */
  contentStart: number;
}

/** Told of each child of the root element that has content: its qualified name and xml[start, end) between its tags. */
export type RootChildListener = (name: string, contentStart: number, contentEnd: number) => void;

/**
 * Throws a DocumentError unless `xml` is a well-formed, namespace-well-formed XML 1.0 document without
 * DTD. `onRootChild` hears where the content of each child of the root lies, once that child is checked.
 */
export function assertWellFormed(
  xml: string,
  limits: Readonly<GuardLimits> = GUARD_LIMITS,
  onRootChild?: RootChildListener,
): void {
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
  new Scanner(xml, limits, onRootChild).run();
}

class Scanner {
  private pos = 0;
  private readonly stack: OpenElement[] = [];
  /**
   * The namespace prefixes in scope, shared by all elements: prefix → how many open elements declare
   * it. An element adds its declarations when it opens and removes them when it closes, so each
   * declaration costs O(1) twice and a lookup O(1), however many prefixes and elements there are
   * (a copy of the scope per element made 10,000 prefixes × 10,000 elements take 15 s).
   */
  private readonly inScope = new Map<string, number>();
  /** The last answer of next() for each needle. */
  private readonly found = new Map<string, { from: number; at: number }>();
  private rootSeen = false;

  constructor(
    private readonly xml: string,
    private readonly limits: Readonly<GuardLimits>,
    private readonly onRootChild: RootChildListener | undefined,
  ) {}

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

  /** The text in xml[start, end): nothing is copied, so a long text costs one pass. */
  private text(start: number, end: number): void {
    const { xml } = this;
    if (this.stack.length === 0) {
      NOT_SPACE.lastIndex = start;
      const stray = NOT_SPACE.exec(xml);
      if (stray && stray.index < end) fail(xml, stray.index, 'text is not allowed outside the root element');
      return;
    }
    // "]]>" holds no "<", so one found before `end` lies wholly inside the text.
    const cdataEnd = this.next(']]>', start);
    if (cdataEnd < end) fail(xml, cdataEnd, '"]]>" is not allowed in text');
    this.references(start, end);
  }

  /** Only the five predefined entities and character references exist without a DTD: checks xml[start, end). */
  private references(start: number, end: number): void {
    const { xml } = this;
    let amp = this.next('&', start);
    while (amp < end) {
      REFERENCE_AT.lastIndex = amp;
      const ref = REFERENCE_AT.exec(xml);
      if (!ref || REFERENCE_AT.lastIndex > end) {
        ENTITY_NAME_AT.lastIndex = amp;
        const name = (ENTITY_NAME_AT.exec(xml)?.[1] ?? '').slice(0, end - amp - 1);
        fail(xml, amp, name ? `unknown entity "&${name};"` : 'a bare "&" must be written &amp;');
      }
      if (!ref[1]) {
        const code = ref[2] !== undefined ? parseInt(ref[2], 10) : parseInt(ref[3]!, 16);
        const char = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
        if (INVALID_CHAR.test(char) || (code >= 0xd800 && code <= 0xdfff)) {
          fail(xml, amp, `the character reference "${ref[0]}" is not an XML character`);
        }
      }
      amp = this.next('&', REFERENCE_AT.lastIndex);
    }
  }

  /**
   * Where `needle` next occurs at or after `from` (xml.length when it does not). A plain indexOf per
   * text would run on to the next occurrence however far away it is, so 10,000 short texts before
   * one "&" at the very end would each scan to the end: the last answer is remembered and reused
   * while it still lies ahead, which keeps the total scanning linear.
   */
  private next(needle: string, from: number): number {
    const known = this.found.get(needle);
    if (known && known.from <= from && known.at >= from) return known.at;
    const at = this.xml.indexOf(needle, from);
    const found = { from, at: at < 0 ? this.xml.length : at };
    this.found.set(needle, found);
    return found.at;
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
    END_TAG_CLOSE_AT.lastIndex = QNAME_AT.lastIndex;
    if (!END_TAG_CLOSE_AT.exec(xml)) fail(xml, start, `the end tag </${name[0]}> is not closed properly`);
    const open = this.stack.pop();
    if (!open) fail(xml, start, `</${name[0]}> closes nothing`);
    if (open.name !== name[0]) fail(xml, start, `</${name[0]}> does not match <${open.name}>`);
    this.leaveScope(open.declared);
    if (this.stack.length === 1) this.onRootChild?.(open.name, open.contentStart, start);
    this.pos = END_TAG_CLOSE_AT.lastIndex;
  }

  private startTag(): void {
    const { xml } = this;
    const start = this.pos;
    if (this.rootSeen && this.stack.length === 0) fail(xml, start, 'only one root element is allowed');
    QNAME_AT.lastIndex = start + 1;
    const name = QNAME_AT.exec(xml);
    if (!name) fail(xml, start, 'a "<" must start a tag (write &lt; in text)');
    let pos = QNAME_AT.lastIndex;
    /** Attribute names seen on this element: a Set, so a duplicate costs O(1) to find. */
    let names: Set<string> | undefined;
    /** Prefixed attributes (other than xmlns:*), checked once all declarations of the element are read. */
    let prefixed: { prefix: string; at: number }[] | undefined;
    let declared: string[] | undefined;
    let declarations = 0;
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
      ATTRIBUTE_EQUALS_AT.lastIndex = QNAME_AT.lastIndex;
      const quote = ATTRIBUTE_EQUALS_AT.exec(xml);
      if (!quote) fail(xml, pos, `the attribute ${attr[0]} needs a quoted value`);
      const valueStart = ATTRIBUTE_EQUALS_AT.lastIndex;
      const valueEnd = xml.indexOf(quote[1]!, valueStart);
      if (valueEnd < 0) fail(xml, pos, `the value of ${attr[0]} is not closed`);
      if (this.next('<', valueStart) < valueEnd)
        fail(xml, pos, `"<" is not allowed in the value of ${attr[0]}`);
      this.references(valueStart, valueEnd);
      names ??= new Set();
      if (names.has(attr[0])) fail(xml, pos, `the attribute ${attr[0]} appears twice`);
      const { attributesPerElement, namespacesPerElement } = this.limits;
      if (names.size >= attributesPerElement) {
        refuse(
          xml,
          start,
          `the element <${name[0]}> has more than ${attributesPerElement} attributes; ` +
            `at most ${attributesPerElement} are accepted on one element`,
        );
      }
      names.add(attr[0]);
      if (attr[0] === 'xmlns' || attr[1] === 'xmlns') {
        if (++declarations > namespacesPerElement) {
          refuse(
            xml,
            start,
            `the element <${name[0]}> declares more than ${namespacesPerElement} namespaces; ` +
              `at most ${namespacesPerElement} namespace declarations are accepted on one element`,
          );
        }
        const prefix = this.declare(attr, xml.slice(valueStart, valueEnd), pos);
        if (prefix !== undefined) (declared ??= []).push(prefix);
      } else if (attr[2] !== undefined) {
        (prefixed ??= []).push({ prefix: attr[1]!, at: pos });
      }
      pos = valueEnd + 1;
    }
    // The element's own declarations are in scope for its name and attributes: enter, then check.
    if (declared)
      for (const prefix of declared) this.inScope.set(prefix, (this.inScope.get(prefix) ?? 0) + 1);
    if (name[2] !== undefined) this.requirePrefix(name[1]!, start);
    if (prefixed) for (const { prefix, at } of prefixed) this.requirePrefix(prefix, at);
    this.rootSeen = true;
    this.pos = pos;
    if (selfClosing) {
      this.leaveScope(declared);
      return;
    }
    if (this.stack.length >= MAX_DEPTH)
      fail(xml, start, `elements are nested deeper than ${MAX_DEPTH} levels`);
    this.stack.push({ name: name[0], declared, contentStart: pos });
  }

  /** Checks a namespace declaration; returns the prefix it binds (undefined for a default namespace). */
  private declare(attr: RegExpExecArray, value: string, at: number): string | undefined {
    if (attr[0] === 'xmlns') {
      if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE)
        fail(this.xml, at, 'reserved namespace as default');
      return undefined;
    }
    const prefix = attr[2]!;
    if (prefix === 'xmlns') fail(this.xml, at, 'the prefix xmlns cannot be declared');
    if (value === '') fail(this.xml, at, `the prefix ${prefix} cannot be bound to an empty namespace`);
    if ((prefix === 'xml') !== (value === XML_NAMESPACE)) fail(this.xml, at, 'the xml prefix is reserved');
    return prefix;
  }

  /** Takes the declarations of an element that closes out of scope. */
  private leaveScope(declared: string[] | undefined): void {
    if (!declared) return;
    for (const prefix of declared) {
      const count = this.inScope.get(prefix)!;
      if (count > 1) this.inScope.set(prefix, count - 1);
      else this.inScope.delete(prefix);
    }
  }

  private requirePrefix(prefix: string, at: number): void {
    if (prefix !== 'xml' && !this.inScope.has(prefix))
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

/** A document that may be well-formed but exceeds what the guard accepts (a size limit, not a syntax error). */
function refuse(xml: string, index: number, what: string): never {
  throw new DocumentError('malformed-xml', `The document is refused (line ${lineOf(xml, index)}): ${what}.`);
}
