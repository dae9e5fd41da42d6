/*
 * Contract fake of the PingWin web service as connectors/pingwin/README.md assumes it (no public
 * documentation exists): key and CLID headers, a file per ID, documents filed under an external id
 * with an Idempotency-Key, JSON errors with a `message`.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { listen } from '../helpers/http';

export interface PingwinFakeFile {
  fileId: string;
  name: string;
  apiKey: string;
  clid: string;
}

export interface PingwinFakeDocument {
  id: string;
  externalId: string;
  direction: 'purchase' | 'sales';
  fileName: string;
  content: Buffer;
}

/** One request as the fake saw it; never the key. */
export interface PingwinLogEntry {
  method: string;
  path: string;
  status: number;
  idempotencyKey?: string;
}

export interface PingwinFailure {
  status: number;
  body?: string;
  retryAfter?: string;
  /** Only requests of this method fail (default: any). */
  method?: string;
}

export interface PingwinFake {
  url: string;
  files: PingwinFakeFile[];
  log: PingwinLogEntry[];
  documents(fileId: string): PingwinFakeDocument[];
  knobs: {
    /** The next matching request is answered with this failure instead. */
    failNext(failure: PingwinFailure): void;
    /** The next upload is filed, then the connection is cut before the answer (a lost 201). */
    loseNextUploadAnswer(): void;
  };
  close(): Promise<void>;
}

export const defaultPingwinFile: PingwinFakeFile = {
  fileId: '4711',
  name: 'Boulangerie Lemaire SRL',
  apiKey: 'pw_live_7Hq2kD9sLmX4',
  clid: 'CL-20931',
};

const KEY_HEADER = 'x-api-key';
const CLID_HEADER = 'x-pingwin-clid';

export async function startPingwinFake(
  files: PingwinFakeFile[] = [defaultPingwinFile],
): Promise<PingwinFake> {
  const documents = new Map<string, PingwinFakeDocument[]>();
  const log: PingwinLogEntry[] = [];
  const failures: PingwinFailure[] = [];
  let loseNextUploadAnswer = false;

  const app = express();
  app.use((request, response, next) => {
    response.on('finish', () => {
      const idempotencyKey = request.get('idempotency-key');
      log.push({
        method: request.method,
        path: request.path,
        status: response.statusCode,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
    });
    const index = failures.findIndex((failure) => !failure.method || failure.method === request.method);
    if (index === -1) return next();
    const [failure] = failures.splice(index, 1);
    if (failure!.retryAfter) response.set('retry-after', failure!.retryAfter);
    response
      .status(failure!.status)
      .type('application/json')
      .send(failure!.body ?? '');
  });
  app.use(express.json({ limit: '30mb' }));

  const refuse = (response: Response, status: number, message: string) =>
    response.status(status).json({ message });

  /** The file the request's key and CLID open, or the refusal already sent. */
  function authorizedFile(request: Request, response: Response): PingwinFakeFile | undefined {
    const file = files.find((candidate) => candidate.fileId === request.params.fileId);
    const key = request.get(KEY_HEADER);
    if (!key) return void refuse(response, 401, 'Missing API key');
    if (!file) return void refuse(response, 404, `Unknown file ${request.params.fileId}`);
    if (file.apiKey !== key) return void refuse(response, 401, 'Invalid API key for this file');
    if (file.clid !== request.get(CLID_HEADER))
      return void refuse(response, 403, 'CLID not authorised for this file');
    return file;
  }

  app.get('/v1/files/:fileId', (request, response) => {
    const file = authorizedFile(request, response);
    if (file) response.json({ id: file.fileId, name: file.name });
  });

  app.get('/v1/files/:fileId/documents', (request, response) => {
    const file = authorizedFile(request, response);
    if (!file) return;
    const externalId = typeof request.query.externalId === 'string' ? request.query.externalId : undefined;
    const found = (documents.get(file.fileId) ?? []).filter(
      (document) => externalId === undefined || document.externalId === externalId,
    );
    response.json({ documents: found.map(({ id, externalId: external }) => ({ id, externalId: external })) });
  });

  app.post('/v1/files/:fileId/documents', (request, response) => {
    const file = authorizedFile(request, response);
    if (!file) return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const key = request.get('idempotency-key');
    if (!key) return refuse(response, 400, 'Idempotency-Key header is required');
    if (typeof body.externalId !== 'string' || body.externalId !== key) {
      return refuse(response, 400, 'externalId must be given and equal the Idempotency-Key');
    }
    if (body.direction !== 'purchase' && body.direction !== 'sales') {
      return refuse(response, 400, 'direction must be purchase or sales');
    }
    if (typeof body.fileName !== 'string' || !body.fileName.endsWith('.xml')) {
      return refuse(response, 400, 'fileName must name an .xml file');
    }
    const content = typeof body.content === 'string' ? Buffer.from(body.content, 'base64') : Buffer.alloc(0);
    if (!/<(\w+:)?(Invoice|CreditNote)\b/.test(content.toString('utf8'))) {
      return refuse(response, 422, 'content is not a UBL Invoice or CreditNote');
    }
    const filed = documents.get(file.fileId) ?? [];
    const existing = filed.find((document) => document.externalId === key);
    if (existing) {
      return response
        .status(409)
        .json({ id: existing.id, externalId: key, message: 'A document with this externalId exists' });
    }
    const document: PingwinFakeDocument = {
      id: randomUUID(),
      externalId: key,
      direction: body.direction,
      fileName: body.fileName,
      content,
    };
    documents.set(file.fileId, [...filed, document]);
    if (loseNextUploadAnswer) {
      loseNextUploadAnswer = false;
      return request.socket.destroy();
    }
    response.status(201).json({ id: document.id, externalId: key });
  });

  const server = await listen(app);
  return {
    url: server.url,
    files,
    log,
    documents: (fileId) => documents.get(fileId) ?? [],
    knobs: {
      failNext: (failure) => void failures.push(failure),
      loseNextUploadAnswer: () => {
        loseNextUploadAnswer = true;
      },
    },
    close: server.close,
  };
}

/** The environment that points the PingWin connector at this fake. */
export function pingwinEnv(fake: PingwinFake): Record<string, string> {
  return { PINGWIN_API_URL: fake.url };
}
