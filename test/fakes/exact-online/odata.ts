import type { Request, Response } from 'express';

/*
 * The OData v3 conventions Exact's REST API speaks: verbose JSON (`{"d": ...}`, lists in `results`
 * with a `__next` link, dates as `/Date(ms)/`) when the client asks for application/json, Atom XML
 * otherwise; `$filter` (eq / and), `$select`, `$top`, `$skiptoken` server-driven paging; errors as
 * `{"error": {"code", "message": {"lang", "value"}}}`.
 */

export interface EntitySet {
  /** Path below /api/v1/{division}, e.g. `documents/Documents`. */
  path: string;
  type: string;
  key: string;
  properties: readonly string[];
  /** Exact's mandatory filtering: a GET of the list must filter on one of these. */
  mandatoryFilter?: readonly string[];
}

export type Row = Record<string, unknown>;

export class ODataError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function wantsJson(request: Request): boolean {
  return (request.get('accept') ?? '').toLowerCase().includes('application/json');
}

type Literal = string | number | boolean;

/** Applies $filter, $skiptoken and $top; says where the next page starts when rows remain. */
export function queryRows(
  set: EntitySet,
  rows: Row[],
  query: Record<string, string>,
  pageSize: number,
): { page: Row[]; nextSkipToken?: string } {
  const filter = query.$filter ? parseFilter(set, query.$filter) : [];
  const mandatory = set.mandatoryFilter;
  if (mandatory && !filter.some(([property]) => mandatory.includes(property))) {
    throw new ODataError(
      400,
      'This endpoint has mandatory filtering applied. A GET request for this endpoint must have a $filter ' +
        `parameter with one of the following fields in the url:${mandatory.join(',')}.`,
    );
  }
  let matching = rows.filter((row) => filter.every(([property, value]) => sameValue(row[property], value)));
  if (query.$skiptoken !== undefined) {
    const after = matching.findIndex((row) => keyLiteral(row[set.key]) === query.$skiptoken);
    if (after < 0) throw new ODataError(400, `Invalid $skiptoken: ${query.$skiptoken}`);
    matching = matching.slice(after + 1);
  }
  const top = query.$top === undefined ? Infinity : Number(query.$top);
  if (!Number.isInteger(top) && top !== Infinity) throw new ODataError(400, 'Invalid $top');
  const size = Math.min(pageSize, top);
  const page = matching.slice(0, size);
  const last = page[page.length - 1];
  const more = matching.length > size && top > size;
  return more && last ? { page, nextSkipToken: keyLiteral(last[set.key]) } : { page };
}

/** `$select=A,B`: unknown properties are refused, as Exact does. */
export function selectedProperties(set: EntitySet, query: Record<string, string>): readonly string[] {
  if (!query.$select) return set.properties;
  const names = query.$select.split(',').map((name) => name.trim());
  for (const name of names) assertProperty(set, name);
  return names;
}

function parseFilter(set: EntitySet, text: string): Array<[string, Literal]> {
  const clauses: Array<[string, Literal]> = [];
  const clause = /^\s*(\w+)\s+eq\s+('(?:[^']|'')*'|guid'[0-9a-f-]{36}'|-?\d+|true|false)\s*(?:and\s+|$)/i;
  let rest = text;
  while (rest.trim()) {
    const match = clause.exec(rest);
    if (!match?.[1] || !match[2]) throw new ODataError(400, `Syntax error in $filter at '${rest.trim()}'`);
    assertProperty(set, match[1]);
    clauses.push([match[1], parseLiteral(match[2])]);
    rest = rest.slice(match[0].length);
  }
  return clauses;
}

function parseLiteral(text: string): Literal {
  if (/^guid'/i.test(text)) return text.slice(5, -1).toLowerCase();
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return Number(text);
}

function sameValue(value: unknown, literal: Literal): boolean {
  return typeof value === 'string' && typeof literal === 'string' && /^[0-9a-f-]{36}$/i.test(value)
    ? value.toLowerCase() === literal
    : value === literal;
}

function assertProperty(set: EntitySet, name: string): void {
  if (!set.properties.includes(name)) {
    throw new ODataError(400, `No property '${name}' exists in type '${set.type}'`);
  }
}

function keyLiteral(value: unknown): string {
  return typeof value === 'number' ? String(value) : `guid'${String(value)}'`;
}

export function sendList(
  request: Request,
  response: Response,
  set: EntitySet,
  base: string,
  rows: Row[],
  nextSkipToken?: string,
): void {
  const properties = selectedProperties(set, request.query as Record<string, string>);
  let next: string | undefined;
  if (nextSkipToken !== undefined) {
    const url = new URL(`${base}${request.baseUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query as Record<string, string>)) {
      if (name !== '$skiptoken') url.searchParams.set(name, value);
    }
    url.searchParams.set('$skiptoken', nextSkipToken);
    next = url.toString();
  }
  if (wantsJson(request)) {
    const results = rows.map((row) => jsonEntity(set, base, request, row, properties));
    response.json({ d: next ? { results, __next: next } : { results } });
    return;
  }
  const entries = rows.map((row) => atomEntry(set, base, request, row, properties)).join('');
  const link = next ? `<link rel="next" href="${escapeXml(next)}"/>` : '';
  response
    .type('application/atom+xml;type=feed;charset=utf-8')
    .send(
      `<?xml version="1.0" encoding="utf-8"?><feed ${namespaces}><title type="text">${set.path}</title>${entries}${link}</feed>`,
    );
}

export function sendEntity(
  request: Request,
  response: Response,
  status: number,
  set: EntitySet,
  base: string,
  row: Row,
) {
  // Only `Prefer: return=representation` gets the created entity's values back; without it the
  // answer carries the entity with every property null (assumed; see the connector's README).
  const representation = /return=representation/i.test(request.get('prefer') ?? '');
  if (wantsJson(request)) {
    const entity = jsonEntity(set, base, request, row, set.properties);
    if (!representation) for (const name of set.properties) entity[name] = null;
    response.status(status).json({ d: entity });
    return;
  }
  if (!representation) row = { [set.key]: row[set.key] };
  const entry = atomEntry(set, base, request, row, set.properties).replace(
    '<entry>',
    `<entry ${namespaces}>`,
  );
  response
    .status(status)
    .type('application/atom+xml;type=entry;charset=utf-8')
    .send(`<?xml version="1.0" encoding="utf-8"?>${entry}`);
}

export function sendError(request: Request, response: Response, status: number, message: string): void {
  if (wantsJson(request)) {
    response.status(status).json({ error: { code: '', message: { lang: '', value: message } } });
    return;
  }
  response
    .status(status)
    .type('application/xml;charset=utf-8')
    .send(
      '<?xml version="1.0" encoding="utf-8"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' +
        `<code></code><message xml:lang="">${escapeXml(message)}</message></error>`,
    );
}

const namespaces =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" ' +
  'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';

function entityUri(set: EntitySet, base: string, request: Request, row: Row): string {
  const collection = `${base}${request.baseUrl}${request.path}`.replace(/\/$/, '');
  return `${collection}(${keyLiteral(row[set.key])})`;
}

function jsonEntity(
  set: EntitySet,
  base: string,
  request: Request,
  row: Row,
  properties: readonly string[],
): Row {
  const entity: Row = { __metadata: { uri: entityUri(set, base, request, row), type: set.type } };
  for (const name of properties) entity[name] = jsonValue(row[name]);
  return entity;
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return `/Date(${value.getTime()})/`;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value ?? null;
}

function atomEntry(
  set: EntitySet,
  base: string,
  request: Request,
  row: Row,
  properties: readonly string[],
): string {
  const fields = properties
    .map((name) => {
      const value = row[name];
      if (value === undefined || value === null) return `<d:${name} m:null="true"/>`;
      const text =
        value instanceof Date
          ? value.toISOString().replace(/Z$/, '')
          : Buffer.isBuffer(value)
            ? value.toString('base64')
            : String(value);
      return `<d:${name}>${escapeXml(text)}</d:${name}>`;
    })
    .join('');
  return (
    `<entry><id>${escapeXml(entityUri(set, base, request, row))}</id><title type="text"/>` +
    `<content type="application/xml"><m:properties>${fields}</m:properties></content></entry>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
