/*
 * Contract fake of the Wings Online web service as connectors/wings-online/README.md assumes it (no
 * public documentation exists): SOAP 1.1 on one endpoint, the credentials in every call, three
 * operations, faults with HTTP statuses, and no second booking under one external reference.
 */
import { randomUUID } from 'node:crypto';
import express, { type Response } from 'express';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { listen } from '../helpers/http';

export const WINGS_NAMESPACE = 'urn:wings:online:import:v1';
const ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface WingsFakeFile {
  username: string;
  password: string;
  internalNumber: number;
  companyName: string;
  journals: string[];
}

export interface WingsFakeBooking {
  documentId: string;
  journal: string;
  externalReference: string;
  fileName: string;
  content: Buffer;
}

/** One call as the fake saw it; never the password. */
export interface WingsLogEntry {
  operation: string;
  soapAction: string | undefined;
  status: number;
  externalReference?: string;
}

export interface WingsFailure {
  status: number;
  /** A SOAP fault with this code and text; without it, `raw` (or nothing) is the body. */
  fault?: { code: string; message: string };
  raw?: string;
  retryAfter?: string;
  /** Only this operation fails (default: any). */
  operation?: string;
}

export interface WingsFake {
  url: string;
  files: WingsFakeFile[];
  log: WingsLogEntry[];
  bookings(internalNumber: number): WingsFakeBooking[];
  knobs: {
    failNext(failure: WingsFailure): void;
    /** The next import is booked, then the connection is cut before the answer. */
    loseNextImportAnswer(): void;
  };
  close(): Promise<void>;
}

export const defaultWingsFile: WingsFakeFile = {
  username: 'Wings8123',
  password: 'Wings-API-pa55',
  internalNumber: 42,
  companyName: 'Brasserie Dupont SRL',
  journals: ['VK1', 'AK1'],
};

function envelope(build: (body: XMLBuilder) => void): string {
  const document = create({ version: '1.0', encoding: 'utf-8' });
  const body = document.ele(ENVELOPE_NS, 'soap:Envelope').ele(ENVELOPE_NS, 'soap:Body');
  build(body);
  return document.end();
}

function respond(response: Response, operation: string, values: Record<string, string>) {
  const xml = envelope((body) => {
    const element = body.ele(WINGS_NAMESPACE, `w:${operation}Response`);
    for (const [name, value] of Object.entries(values)) element.ele(WINGS_NAMESPACE, `w:${name}`).txt(value);
  });
  response.status(200).type('text/xml').send(xml);
}

function fault(
  response: Response,
  status: number,
  code: string,
  message: string,
  detail: Record<string, string> = {},
) {
  const xml = envelope((body) => {
    const element = body.ele(ENVELOPE_NS, 'soap:Fault');
    element.ele('faultcode').txt(`soap:${code}`);
    element.ele('faultstring').txt(message);
    const details = element.ele('detail');
    for (const [name, value] of Object.entries(detail)) details.ele(WINGS_NAMESPACE, `w:${name}`).txt(value);
  });
  response.status(status).type('text/xml').send(xml);
}

interface DomElement {
  nodeType: number;
  namespaceURI: string | null;
  localName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomElement>;
}

const elementsOf = (node: DomElement) => Array.from(node.childNodes).filter((child) => child.nodeType === 1);

/**
 * The call in a request: Envelope → Body → one element in the service namespace, whose children are
 * the parameters. Read here with xmlbuilder2's DOM, independently of the connector's own reader.
 */
function readCall(xml: string): { operation: string; parameters: Map<string, string> } | undefined {
  let envelope: DomElement | undefined;
  try {
    envelope = elementsOf(create(xml).node as unknown as DomElement)[0];
  } catch {
    return undefined;
  }
  const isSoap = (element: DomElement | undefined, localName: string) =>
    element?.namespaceURI === ENVELOPE_NS && element.localName === localName;
  if (!envelope || !isSoap(envelope, 'Envelope')) return undefined;
  const body = elementsOf(envelope).find((element) => isSoap(element, 'Body'));
  const [element] = body ? elementsOf(body) : [];
  if (!element || element.namespaceURI !== WINGS_NAMESPACE) return undefined;
  const parameters = new Map(
    elementsOf(element)
      .filter((child) => child.namespaceURI === WINGS_NAMESPACE)
      .map((child) => [child.localName, child.textContent ?? ''] as const),
  );
  return { operation: element.localName, parameters };
}

export async function startWingsFake(files: WingsFakeFile[] = [defaultWingsFile]): Promise<WingsFake> {
  const bookings = new Map<number, WingsFakeBooking[]>();
  const log: WingsLogEntry[] = [];
  const failures: WingsFailure[] = [];
  let loseNextImportAnswer = false;

  const app = express();
  app.use(express.text({ type: () => true, limit: '40mb' }));
  app.post('/ws', (request, response) => {
    const soapAction = request.get('soapaction');
    const operation = /^"?urn:wings:online:import:v1\/(\w+)"?$/.exec(soapAction ?? '')?.[1] ?? '';
    const call = typeof request.body === 'string' ? readCall(request.body) : undefined;
    const value = (name: string) => call?.parameters.get(name);
    const externalReference = value('ExternalReference');
    response.on('finish', () =>
      log.push({
        operation,
        soapAction,
        status: response.statusCode,
        ...(externalReference ? { externalReference } : {}),
      }),
    );
    if (!request.is('text/xml')) return fault(response, 415, 'Client', 'Content-Type must be text/xml');
    if (!call) return fault(response, 400, 'Client', 'The request is not a SOAP 1.1 envelope with a Body');

    const index = failures.findIndex((failure) => !failure.operation || failure.operation === operation);
    if (index !== -1) {
      const [injected] = failures.splice(index, 1);
      if (injected!.retryAfter) response.set('retry-after', injected!.retryAfter);
      if (injected!.fault)
        return fault(response, injected!.status, injected!.fault.code, injected!.fault.message);
      return response
        .status(injected!.status)
        .type('text/plain')
        .send(injected!.raw ?? '');
    }

    // The Body must hold the element of the operation the SOAPAction names.
    if (!operation || call.operation !== operation) {
      return fault(response, 400, 'Client', `Unknown operation in SOAPAction ${soapAction ?? '(none)'}`);
    }
    const file = files.find(
      (candidate) => candidate.username === value('UserName') && candidate.password === value('Password'),
    );
    if (!file) return fault(response, 401, 'Client.Authentication', 'Invalid user name or password');
    if (String(file.internalNumber) !== value('InternalNumber')) {
      return fault(
        response,
        403,
        'Client.Authorization',
        `No access to internal number ${value('InternalNumber') ?? ''}`,
      );
    }
    const booked = bookings.get(file.internalNumber) ?? [];

    switch (operation) {
      case 'CheckLogin':
        return respond(response, operation, { CompanyName: file.companyName });
      case 'FindDocument': {
        if (!externalReference) return fault(response, 400, 'Client', 'ExternalReference is required');
        const found = booked.find((booking) => booking.externalReference === externalReference);
        return respond(response, operation, { DocumentId: found?.documentId ?? '' });
      }
      case 'ImportDocument': {
        const journal = value('Journal') ?? '';
        if (!file.journals.includes(journal))
          return fault(response, 400, 'Client', `Unknown journal ${journal}`);
        if (!externalReference) return fault(response, 400, 'Client', 'ExternalReference is required');
        const existing = booked.find((booking) => booking.externalReference === externalReference);
        if (existing) {
          return fault(response, 409, 'Client.DuplicateExternalReference', 'Already imported', {
            DocumentId: existing.documentId,
          });
        }
        const content = Buffer.from(value('Content') ?? '', 'base64');
        if (!/<(\w+:)?(Invoice|CreditNote)\b/.test(content.toString('utf8'))) {
          return fault(response, 400, 'Client', 'Content is not an e-FFF Invoice or CreditNote');
        }
        const booking: WingsFakeBooking = {
          documentId: randomUUID(),
          journal,
          externalReference,
          fileName: value('FileName') ?? '',
          content,
        };
        bookings.set(file.internalNumber, [...booked, booking]);
        if (loseNextImportAnswer) {
          loseNextImportAnswer = false;
          return request.socket.destroy();
        }
        return respond(response, operation, { DocumentId: booking.documentId });
      }
      default:
        return fault(response, 400, 'Client', `Unknown operation ${operation}`);
    }
  });

  const server = await listen(app);
  return {
    url: server.url,
    files,
    log,
    bookings: (internalNumber) => bookings.get(internalNumber) ?? [],
    knobs: {
      failNext: (failure) => void failures.push(failure),
      loseNextImportAnswer: () => {
        loseNextImportAnswer = true;
      },
    },
    close: server.close,
  };
}

/** The environment that points the Wings Online connector at this fake. */
export function wingsEnv(fake: WingsFake): Record<string, string> {
  return { WINGS_API_URL: `${fake.url}/ws` };
}
