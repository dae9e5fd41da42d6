import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { create } from 'xmlbuilder2';
import { childElements, type XmlDocument, type XmlElement } from '../../documents/ubl-dom';
import { assertWellFormed } from '../../documents/xml-guard';
import { listen } from '../helpers/http';

/**
 * Contract fake of Yuki's SOAP 1.1 web services (`{url}/Accounting.asmx`, `{url}/Archive.asmx`), one
 * instance per country host. It enforces what Yuki documents and what the connector README writes down
 * as assumed: POST text/xml, a SOAPAction header equal to `"http://www.theyukicompany.com/<Method>"` of
 * the body's method, the method and its parameters in that namespace, sessions issued only by
 * Authenticate (and expiring), administrations reachable only from their own domain's key, strict
 * base64 file data, and 1,000 calls per domain per day (the day turning at midnight in Brussels).
 * Faults are ASMX-style: HTTP 500 with a soap:Fault whose faultstring says what went wrong.
 */

export const YUKI_NAMESPACE = 'http://www.theyukicompany.com/';
const SOAP_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface YukiFakeDomain {
  id: string;
  apiKey: string;
  administrations: Array<{ id: string; name: string }>;
}

export interface YukiFakeOptions {
  domains: YukiFakeDomain[];
  /** Calls per domain per day (1,000 by default, Yuki's free allowance). */
  dailyQuota?: number;
  /** How long a session lives without use (20 minutes by default) [assume]. */
  sessionIdleMs?: number;
}

export interface StoredYukiDocument {
  id: string;
  domainId: string;
  administrationId: string;
  folder: number;
  fileName1: string;
  data1: Buffer;
  fileName2: string;
  data2: Buffer;
  currency: string;
  amount: string;
  remarks: string;
}

export interface YukiCallRecord {
  service: string;
  method: string;
  soapAction: string;
  /** The domain the call counted against; undefined for a refused key or session. */
  domainId?: string;
  fault?: string;
}

export interface YukiFake {
  /** The base URL the connector is configured with (`…/ws`). */
  url: string;
  documents: StoredYukiDocument[];
  calls: YukiCallRecord[];
  /** Calls counted against the domain today (Brussels day of the fake's clock). */
  callsToday(domainId: string): number;
  /** Sets today's count of a domain (a busy day). */
  setCallsToday(domainId: string, count: number): void;
  /** Every session issued so far is refused from now on (Yuki forgot them). */
  expireSessions(): void;
  /** The next `count` calls with a session are refused as if their session were unknown, new ones too. */
  refuseNextSessions(count: number): void;
  /** The key is deleted in Yuki: Authenticate refuses it. */
  revokeKey(apiKey: string): void;
  /** The next upload is stored, then the connection is cut before the answer (a crash after upload). */
  loseNextUploadAnswer(): void;
  /** The next request to `method` gets this raw HTTP answer instead (a proxy page, a 503). */
  failNext(method: string, answer: { status: number; body: string; contentType?: string }): void;
  advanceTime(ms: number): void;
  close(): Promise<void>;
}

const METHODS: Record<string, readonly string[]> = {
  Accounting: ['Authenticate', 'Administrations'],
  Archive: ['Authenticate', 'SearchDocuments', 'UploadDocumentWithAttachment'],
};

/** The parameters each method requires, in the order of its WSDL sequence. */
const PARAMETERS: Record<string, readonly string[]> = {
  Authenticate: ['accessKey'],
  Administrations: ['sessionID'],
  SearchDocuments: ['sessionID', 'administrationID', 'searchOption', 'searchText'],
  UploadDocumentWithAttachment: [
    'sessionID',
    'fileName1',
    'data1',
    'fileName2',
    'data2',
    'folder',
    'administrationID',
    'currency',
    'amount',
    'costCategory',
    'paymentMethod',
    'project',
    'remarks',
  ],
};

class Fault extends Error {
  constructor(
    readonly code: 'Client' | 'Server',
    message: string,
  ) {
    super(message);
  }
}

/** xmlbuilder2 leaves "&name;" in text unescaped: escaping "&" first keeps every value literal. */
function literal(value: string): string {
  return value.replace(/&/g, '&amp;');
}

function brusselsDay(now: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels' }).format(new Date(now));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function strictBase64(name: string, value: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new Fault('Client', `${name} is not valid base64 data.`);
  return Buffer.from(compact, 'base64');
}

export async function startYukiFake(options: YukiFakeOptions): Promise<YukiFake> {
  const dailyQuota = options.dailyQuota ?? 1000;
  const sessionIdleMs = options.sessionIdleMs ?? 20 * 60_000;
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const sessions = new Map<string, { domainId: string; lastUsed: number }>();
  const revokedKeys = new Set<string>();
  const counts = new Map<string, number>();
  const documents: StoredYukiDocument[] = [];
  const calls: YukiCallRecord[] = [];
  const injected = new Map<string, { status: number; body: string; contentType?: string }>();
  let loseUploadAnswer = false;
  let sessionsToRefuse = 0;

  const countKey = (domainId: string) => `${domainId} ${brusselsDay(now())}`;
  const domainOf = (id: string) => options.domains.find((domain) => domain.id === id)!;

  /** Counts the call against the domain, refusing it once the day's calls are spent. */
  function count(domainId: string): void {
    const used = counts.get(countKey(domainId)) ?? 0;
    if (used >= dailyQuota) {
      throw new Fault(
        'Server',
        `Maximum number of web service calls (${dailyQuota}) per day exceeded for this domain.`,
      );
    }
    counts.set(countKey(domainId), used + 1);
  }

  function session(sessionId: string): string {
    const found = sessions.get(sessionId);
    const refused = sessionsToRefuse > 0;
    if (refused) sessionsToRefuse--;
    if (!found || refused || now() - found.lastUsed > sessionIdleMs) {
      sessions.delete(sessionId);
      throw new Fault('Server', 'Invalid or expired session ID. Call Authenticate to start a new session.');
    }
    found.lastUsed = now();
    count(found.domainId);
    return found.domainId;
  }

  function administration(domainId: string, administrationId: string): void {
    if (!domainOf(domainId).administrations.some((a) => a.id === administrationId)) {
      throw new Fault(
        'Server',
        `Administration ${administrationId} was not found or is not accessible with this access key.`,
      );
    }
  }

  /** Runs the method; returns the children of `<MethodResult>` as an xmlbuilder2 callback. */
  function run(
    method: string,
    params: Map<string, string>,
    record: YukiCallRecord,
  ): (result: ResultBuilder) => void {
    const param = (name: string) => params.get(name) ?? '';
    if (method === 'Authenticate') {
      const domain = options.domains.find((d) => d.apiKey === param('accessKey'));
      if (!domain || revokedKeys.has(domain.apiKey)) {
        throw new Fault('Server', 'Authentication failed: the access key is not valid.');
      }
      record.domainId = domain.id;
      count(domain.id);
      const sessionId = randomUUID();
      sessions.set(sessionId, { domainId: domain.id, lastUsed: now() });
      return (result) => result.txt(sessionId);
    }
    const domainId = session(param('sessionID'));
    record.domainId = domainId;
    if (method === 'Administrations') {
      return (result) => {
        const list = result.ele(YUKI_NAMESPACE, 'Administrations');
        for (const a of domainOf(domainId).administrations) {
          list
            .ele(YUKI_NAMESPACE, 'Administration')
            .att('ID', a.id)
            .ele(YUKI_NAMESPACE, 'Name')
            .txt(literal(a.name));
        }
      };
    }
    administration(domainId, param('administrationID'));
    if (method === 'SearchDocuments') {
      const text = param('searchText');
      const found = documents.filter(
        (d) =>
          d.domainId === domainId &&
          d.administrationId === param('administrationID') &&
          d.fileName1.includes(text),
      );
      return (result) => {
        const list = result.ele(YUKI_NAMESPACE, 'Documents');
        for (const d of found) {
          const element = list.ele(YUKI_NAMESPACE, 'Document').att('ID', d.id);
          element.ele(YUKI_NAMESPACE, 'Subject').txt(literal(d.fileName1));
          element.ele(YUKI_NAMESPACE, 'FileName').txt(literal(d.fileName1));
        }
      };
    }
    // UploadDocumentWithAttachment
    if (!param('fileName1') || !param('fileName2'))
      throw new Fault('Client', 'fileName1 and fileName2 are required.');
    const folder = Number(param('folder'));
    if (!Number.isInteger(folder)) throw new Fault('Client', 'folder must be an integer.');
    if (!/^-?\d+(\.\d+)?$/.test(param('amount')))
      throw new Fault('Client', 'amount must be a decimal number.');
    const stored: StoredYukiDocument = {
      id: randomUUID(),
      domainId,
      administrationId: param('administrationID'),
      folder,
      fileName1: param('fileName1'),
      data1: strictBase64('data1', param('data1')),
      fileName2: param('fileName2'),
      data2: strictBase64('data2', param('data2')),
      currency: param('currency'),
      amount: param('amount'),
      remarks: param('remarks'),
    };
    documents.push(stored);
    return (result) => result.txt(stored.id);
  }

  const app = express();
  app.use(express.text({ type: () => true, limit: '100mb' }));
  app.post('/ws/:service.asmx', (req: Request, res: Response) => {
    const service = String(req.params.service);
    const soapAction = String(req.headers.soapaction ?? '');
    const record: YukiCallRecord = { service, method: '?', soapAction };
    calls.push(record);
    try {
      if (!/^text\/xml\b/i.test(String(req.headers['content-type'] ?? ''))) {
        res.status(415).type('text/plain').send('SOAP 1.1 requests are text/xml.');
        return;
      }
      const { method, params } = readRequest(typeof req.body === 'string' ? req.body : '');
      record.method = method;
      const failure = injected.get(method);
      if (failure) {
        injected.delete(method);
        res
          .status(failure.status)
          .type(failure.contentType ?? 'text/html')
          .send(failure.body);
        return;
      }
      if (soapAction !== `"${YUKI_NAMESPACE}${method}"`) {
        throw new Fault(
          'Client',
          `Server did not recognize the value of HTTP Header SOAPAction: ${soapAction}.`,
        );
      }
      if (!METHODS[service]?.includes(method)) {
        throw new Fault('Client', `${service}.asmx has no method ${method}.`);
      }
      for (const name of PARAMETERS[method] ?? []) {
        if (!params.has(name)) throw new Fault('Client', `${method} requires the parameter ${name}.`);
      }
      const build = run(method, params, record);
      if (method === 'UploadDocumentWithAttachment' && loseUploadAnswer) {
        loseUploadAnswer = false;
        req.socket.destroy();
        return;
      }
      res.status(200).type('text/xml; charset=utf-8').send(answerEnvelope(method, build));
    } catch (error) {
      const fault = error instanceof Fault ? error : new Fault('Server', String(error));
      record.fault = fault.message;
      res.status(500).type('text/xml; charset=utf-8').send(faultEnvelope(fault));
    }
  });
  const server = await listen(app);

  return {
    url: `${server.url}/ws`,
    documents,
    calls,
    callsToday: (domainId) => counts.get(countKey(domainId)) ?? 0,
    setCallsToday: (domainId, value) => void counts.set(countKey(domainId), value),
    expireSessions: () => sessions.clear(),
    refuseNextSessions: (count) => {
      sessionsToRefuse = count;
    },
    revokeKey: (apiKey) => void revokedKeys.add(apiKey),
    loseNextUploadAnswer: () => {
      loseUploadAnswer = true;
    },
    failNext: (method, answer) => void injected.set(method, answer),
    advanceTime: (ms) => {
      clockOffset += ms;
    },
    close: () => server.close(),
  };
}

type ResultBuilder = ReturnType<ReturnType<typeof create>['ele']>;

/** The body's method element and its parameters; refuses anything that is not a Yuki SOAP 1.1 call. */
function readRequest(text: string): { method: string; params: Map<string, string> } {
  try {
    assertWellFormed(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Fault('Client', `The request is not well-formed XML: ${(error as Error).message}`);
  }
  const document = create(text).node as unknown as XmlDocument;
  const envelope = document.documentElement;
  if (envelope?.localName !== 'Envelope' || envelope.namespaceURI !== SOAP_NAMESPACE) {
    throw new Fault('Client', 'The request is not a SOAP 1.1 envelope.');
  }
  const body = childElements(envelope).find(
    (e) => e.localName === 'Body' && e.namespaceURI === SOAP_NAMESPACE,
  );
  const call: XmlElement | undefined = body ? childElements(body)[0] : undefined;
  if (!call) throw new Fault('Client', 'The SOAP Body is empty.');
  if (call.namespaceURI !== YUKI_NAMESPACE) {
    throw new Fault('Client', `${call.localName} is not in the namespace ${YUKI_NAMESPACE}.`);
  }
  const params = new Map<string, string>();
  for (const element of childElements(call)) {
    if (element.namespaceURI !== YUKI_NAMESPACE) {
      throw new Fault(
        'Client',
        `The parameter ${element.localName} is not in the namespace ${YUKI_NAMESPACE}.`,
      );
    }
    params.set(element.localName, element.textContent ?? '');
  }
  return { method: call.localName, params };
}

function answerEnvelope(method: string, build: (result: ResultBuilder) => void): string {
  const result = create({ version: '1.0', encoding: 'utf-8' })
    .ele(SOAP_NAMESPACE, 'soap:Envelope')
    .ele(SOAP_NAMESPACE, 'soap:Body')
    .ele(YUKI_NAMESPACE, `${method}Response`)
    .ele(YUKI_NAMESPACE, `${method}Result`);
  build(result);
  return result.end();
}

function faultEnvelope(fault: Fault): string {
  const xml = create({ version: '1.0', encoding: 'utf-8' })
    .ele(SOAP_NAMESPACE, 'soap:Envelope')
    .ele(SOAP_NAMESPACE, 'soap:Body')
    .ele(SOAP_NAMESPACE, 'soap:Fault');
  xml.ele('faultcode').txt(`soap:${fault.code}`);
  xml.ele('faultstring').txt(literal(fault.message));
  xml.ele('detail');
  return xml.end();
}
