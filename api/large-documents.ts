import type { Request, RequestHandler, Response } from 'express';
import { Gauge, type Registry } from 'prom-client';
import { HttpError } from './errors';

/** From this size on a document is large: it is admitted by the gate and parsed on a thread. */
export const LARGE_DOCUMENT_BYTES = 256 * 1024;

/** Seconds a refused sender is told to wait: a large document takes a few seconds to read and store. */
const RETRY_AFTER_SECONDS = 5;

/**
 * How many large documents, and how many of their bytes, the API holds at once, from reading the
 * body until the answer: each costs several times its size in memory while it is read, parsed and
 * stored. A document alone is always admitted, whatever its size, so none waits forever.
 */
export class LargeDocumentGate {
  private documents = 0;
  private bytes = 0;

  constructor(
    readonly maxDocuments: number,
    readonly maxBytes: number,
  ) {}

  /** The documents admitted and not answered yet, and their bytes. */
  get inUse(): { documents: number; bytes: number } {
    return { documents: this.documents, bytes: this.bytes };
  }

  /** Takes room for a document of `bytes`, given back when `res` closes; false when there is none. */
  enter(bytes: number, res: Response): boolean {
    if (this.documents > 0 && (this.documents >= this.maxDocuments || this.bytes + bytes > this.maxBytes)) {
      return false;
    }
    this.documents++;
    this.bytes += bytes;
    // 'close' comes once the answer is sent, or when the client goes away before it.
    res.once('close', () => {
      this.documents--;
      this.bytes -= bytes;
    });
    return true;
  }

  /** The 503 a document gets when there is no room. */
  busy(): HttpError {
    return new HttpError(503, 'busy', 'Too many large documents are being read; retry shortly.', [], {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    });
  }
}

/** How full the gate is, per API process, on /metrics: near its bounds, large documents get 503. */
export function gateMetrics(registry: Registry, gate: LargeDocumentGate): void {
  new Gauge({
    name: 'relais_large_documents_in_flight',
    help: 'Large documents (256 KB or more) this API process is reading, parsing or storing.',
    registers: [registry],
    collect() {
      this.set(gate.inUse.documents);
    },
  });
  new Gauge({
    name: 'relais_large_document_bytes_in_flight',
    help: 'Bytes of those documents.',
    registers: [registry],
    collect() {
      this.set(gate.inUse.bytes);
    },
  });
}

/** Whether the large document of this request was admitted already (by readLargeXml). */
export const admitted = (res: Response): boolean => res.locals.largeDocumentAdmitted === true;

/**
 * A raw XML body whose Content-Length says it is large (and within `limit`): the gate admits it
 * before a byte is read (503 with Retry-After otherwise, the body left unread), then it is read into
 * one buffer of that length on shared memory, which a parse thread reads in place. express.raw would
 * hold it twice while joining its chunks, and a thread would get a copy. Other bodies (small, over
 * the limit, compressed or chunked) are left to express.raw; the route admits a large one after.
 */
export function readLargeXml(gate: LargeDocumentGate, limit: number, types: string[]): RequestHandler {
  return (req, res, next) => {
    const length = declaredLength(req);
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (length === undefined || length < LARGE_DOCUMENT_BYTES || length > limit) return next();
    if (encoding !== 'identity' || !req.is(types)) return next();
    if (!gate.enter(length, res)) return next(gate.busy());
    res.locals.largeDocumentAdmitted = true;
    const body = Buffer.from(new SharedArrayBuffer(length));
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      // Node's parser stops at Content-Length; the check only keeps a surprise from overrunning the buffer.
      if (received + chunk.length > length) return req.destroy();
      chunk.copy(body, received);
      received += chunk.length;
    });
    // A client that goes away mid-body ends as 'aborted' without 'end': there is no one left to answer.
    req.once('end', () => {
      if (received !== length) {
        return next(
          new HttpError(400, 'bad-request', 'The request body is shorter than its Content-Length.'),
        );
      }
      req.body = body;
      next();
    });
  };
}

function declaredLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}
