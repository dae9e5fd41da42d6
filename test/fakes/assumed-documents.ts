/*
 * What the contract fakes of BoCount and Count-e share, as their READMEs write the assumed contract
 * down: an https origin on loopback (their URLs are typed by users and called over https only), a
 * documents collection keyed by our external id (GET ?externalId= lists, POST files one, 409 when the
 * id is already filed), injected failures, and a log of the requests without their credentials.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { TestCertificate } from '../helpers/test-certificate';

export interface FiledDocument {
  id: string;
  /** The scope it was filed in: a company number, a database. */
  scope: string;
  externalId: string;
  documentType: 'purchase' | 'sales';
  fileName: string;
  content: Buffer;
  /** Target-specific headers the fake was asked to keep (a customer number). */
  tags: Record<string, string>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Authorization cut to its scheme ("Basic", "Bearer"). */
  authorization?: string;
  status?: number;
}

export interface InjectedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests whose path ends so ("/documents"); any when omitted. */
  pathEndsWith?: string;
  /** Only this method; any when omitted. */
  method?: string;
  /** How many matching requests get this answer (1 by default). */
  times?: number;
}

export interface AssumedTargetFake {
  url: string;
  log: LoggedRequest[];
  documents: FiledDocument[];
  answerNext(answer: InjectedAnswer): void;
  /** Files arrive but their answers are lost (the connection drops after the document is stored). */
  dropUploadAnswers(times: number): void;
  close(): Promise<void>;
}

export interface DocumentsRouteOptions {
  /** Express path of the collection, e.g. /api/v1/companies/:companyNumber/documents. */
  path: string;
  /** The scope the request may act in, or undefined after answering the refusal itself. */
  authorize(req: Request, res: Response): string | undefined;
  /** Headers a filing must carry and that are kept on the document (lower case). */
  requiredTags?: string[];
}

/** An e-FFF/UBL document: an Invoice or CreditNote root in the UBL namespaces. */
function isUblDocument(content: Buffer): boolean {
  const text = content.toString('utf8', 0, Math.min(content.length, 4096));
  return /<(\w+:)?(Invoice|CreditNote)\b[^>]*urn:oasis:names:specification:ubl:schema:xsd:/.test(text);
}

export function createAssumedTarget(): {
  app: Express;
  fake: Omit<AssumedTargetFake, 'url' | 'close'>;
  mountDocuments(options: DocumentsRouteOptions): void;
  listen(certificate: TestCertificate): Promise<AssumedTargetFake>;
} {
  const app = express();
  const log: LoggedRequest[] = [];
  const documents: FiledDocument[] = [];
  const injected: InjectedAnswer[] = [];
  let droppedAnswers = 0;

  app.use((req: Request, res: Response, next: NextFunction) => {
    const entry: LoggedRequest = { method: req.method, path: req.path };
    const scheme = req.headers.authorization?.split(' ')[0];
    if (scheme) entry.authorization = scheme;
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const index = injected.findIndex(
      (answer) =>
        (!answer.pathEndsWith || req.path.endsWith(answer.pathEndsWith)) &&
        (!answer.method || answer.method === req.method),
    );
    const answer = injected[index];
    if (!answer) return next();
    answer.times = (answer.times ?? 1) - 1;
    if (answer.times <= 0) injected.splice(index, 1);
    res.status(answer.status).set(answer.headers ?? {});
    if (answer.body === undefined) res.end();
    else if (typeof answer.body === 'string') res.type('text/plain').send(answer.body);
    else res.json(answer.body);
  });

  const fake = {
    log,
    documents,
    answerNext: (answer: InjectedAnswer) => void injected.push({ ...answer }),
    dropUploadAnswers: (times: number) => void (droppedAnswers = times),
  };

  function mountDocuments({ path, authorize, requiredTags = [] }: DocumentsRouteOptions): void {
    app.get(path, (req, res) => {
      const scope = authorize(req, res);
      if (scope === undefined) return;
      const externalId = req.query.externalId;
      if (typeof externalId !== 'string' || !externalId) {
        res.status(400).json({ message: 'The externalId query parameter is required.' });
        return;
      }
      const found = documents.filter((d) => d.scope === scope && d.externalId === externalId);
      res.json({
        documents: found.map(({ id, externalId: ext, fileName }) => ({ id, externalId: ext, fileName })),
      });
    });
    app.post(path, express.raw({ type: () => true, limit: '25mb' }), (req, res) => {
      const scope = authorize(req, res);
      if (scope === undefined) return;
      const externalId = req.get('x-external-id');
      const documentType = req.get('x-document-type');
      const fileName = req.get('x-file-name');
      const tags = Object.fromEntries(requiredTags.map((name) => [name, req.get(name) ?? '']));
      const missing = [
        ...(externalId ? [] : ['X-External-Id']),
        ...(fileName ? [] : ['X-File-Name']),
        ...Object.entries(tags)
          .filter(([, value]) => !value)
          .map(([name]) => name),
      ];
      if (missing.length) {
        res.status(400).json({ message: `Missing header(s): ${missing.join(', ')}.` });
        return;
      }
      if (documentType !== 'purchase' && documentType !== 'sales') {
        res.status(400).json({ message: 'X-Document-Type must be purchase or sales.' });
        return;
      }
      if (!/^application\/xml\b/.test(req.get('content-type') ?? '')) {
        res.status(415).json({ message: 'Send the document as application/xml.' });
        return;
      }
      const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isUblDocument(content)) {
        res.status(422).json({ message: 'The file is not an e-FFF (UBL) invoice or credit note.' });
        return;
      }
      const duplicate = documents.find((d) => d.scope === scope && d.externalId === externalId);
      if (duplicate) {
        res
          .status(409)
          .json({ message: `A document with external id ${externalId} exists.`, id: duplicate.id });
        return;
      }
      const id = `doc-${documents.length + 1}`;
      documents.push({
        id,
        scope,
        externalId: externalId!,
        documentType,
        fileName: fileName!,
        content,
        tags,
      });
      if (droppedAnswers > 0) {
        droppedAnswers -= 1;
        req.socket.destroy();
        return;
      }
      res.status(201).json({ id });
    });
  }

  async function listen(certificate: TestCertificate): Promise<AssumedTargetFake> {
    const server = createServer({ key: certificate.key, cert: certificate.cert }, app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      ...fake,
      url: `https://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }

  return { app, fake, mountDocuments, listen };
}

/** `user:password` of a Basic authorization header, when it is one. */
export function basicCredentials(req: Request): { username: string; password: string } | undefined {
  const [scheme, value] = (req.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
