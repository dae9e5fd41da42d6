import { randomUUID } from 'node:crypto';
import express from 'express';
import { listen } from '../helpers/http';

/**
 * Contract fake of Onea Transfer (`https://transfer.onea.be/restv1`). Onea documents the two calls
 * and DONE, nothing else: the error answers (401 for an unknown key, 400 for data that is not base64
 * UBL, 404 for an unknown uuid, each `{message}`) and the statuses before DONE (QUEUED, PROCESSING)
 * and on failure (ERROR with a message) are our assumptions, written down in connectors/onea/README.md.
 */

export interface OneaTransfer {
  uuid: string;
  direction: 'incoming' | 'outgoing';
  apiKey: string;
  /** The decoded UBL as received. */
  xml: string;
  /** Status requests answered so far. */
  polls: number;
  /** Set by `failTransfers`: the transfer ends in ERROR with this message. */
  error?: string;
  /** Onea's id of the booked document, once DONE. */
  id?: number;
}

export interface OneaFake {
  /** The API base, as ONEA_API_URL. */
  url: string;
  transfers: Map<string, OneaTransfer>;
  /** Every request: method and path (the API key, in the body, is never logged). */
  log: Array<{ method: string; path: string; status: number }>;
  /** How many status requests a transfer answers before it is DONE (2 by default; Infinity: never). */
  setPollsUntilDone(polls: number): void;
  /** New transfers end in ERROR with this message (undefined: back to DONE). */
  failTransfers(message: string | undefined): void;
  /** The next `times` requests to paths starting with `path` are answered with `status`. */
  failNext(failure: {
    status: number;
    path: string;
    times?: number;
    body?: unknown;
    headers?: Record<string, string>;
  }): void;
  close(): Promise<void>;
}

const UBL_ROOT =
  /^\s*(<\?xml[^>]*\?>\s*)?<(?:[\w-]+:)?(Invoice|CreditNote)\b[^>]*xmlns(?::[\w-]+)?="urn:oasis:names:specification:ubl:schema:xsd:(Invoice|CreditNote)-2"/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export async function startOneaFake(options: { apiKeys: string[] }): Promise<OneaFake> {
  const keys = new Set(options.apiKeys);
  const transfers = new Map<string, OneaTransfer>();
  const log: OneaFake['log'] = [];
  const injected: Array<Parameters<OneaFake['failNext']>[0] & { times: number }> = [];
  let pollsUntilDone = 2;
  let failWith: string | undefined;
  let nextId = 70001;

  const app = express();
  app.use((req, res, next) => {
    res.on('finish', () => log.push({ method: req.method, path: req.path, status: res.statusCode }));
    const failure = injected.find((f) => f.times > 0 && req.path.startsWith(f.path));
    if (failure) {
      failure.times -= 1;
      res
        .status(failure.status)
        .set(failure.headers ?? {})
        .json(failure.body ?? { message: 'Injected failure' });
      return;
    }
    next();
  });
  app.use(express.json({ limit: '30mb' }));

  app.post('/restv1/einvoice/:direction', (req, res) => {
    const direction = req.params.direction;
    if (direction !== 'incoming' && direction !== 'outgoing') {
      res.status(404).json({ message: `Unknown endpoint einvoice/${direction}` });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.apiKey !== 'string' || !keys.has(body.apiKey)) {
      res.status(401).json({ message: 'Invalid API key' });
      return;
    }
    const data = body.eInvoiceData;
    if (typeof data !== 'string' || !BASE64.test(data) || data.length % 4 !== 0) {
      res.status(400).json({ message: 'eInvoiceData must be the base64 of an UBL document' });
      return;
    }
    const xml = Buffer.from(data, 'base64').toString('utf8');
    if (!UBL_ROOT.test(xml)) {
      res.status(400).json({ message: 'eInvoiceData is not an UBL Invoice or CreditNote' });
      return;
    }
    const uuid = randomUUID();
    transfers.set(uuid, {
      uuid,
      direction,
      apiKey: body.apiKey,
      xml,
      polls: 0,
      ...(failWith ? { error: failWith } : {}),
    });
    res.json({ uuid });
  });

  app.get('/restv1/einvoice/status/:uuid', (req, res) => {
    const transfer = transfers.get(req.params.uuid);
    if (!transfer) {
      res.status(404).json({ message: 'Unknown transfer' });
      return;
    }
    transfer.polls += 1;
    if (transfer.polls < pollsUntilDone) {
      res.json({ status: transfer.polls === 1 ? 'QUEUED' : 'PROCESSING', id: null });
      return;
    }
    if (transfer.error) {
      res.json({ status: 'ERROR', id: null, message: transfer.error });
      return;
    }
    transfer.id ??= nextId++;
    res.json({ status: 'DONE', id: transfer.id });
  });

  const server = await listen(app);
  return {
    url: `${server.url}/restv1`,
    transfers,
    log,
    setPollsUntilDone(polls) {
      pollsUntilDone = polls;
    },
    failTransfers(message) {
      failWith = message;
    },
    failNext(failure) {
      injected.push({ ...failure, times: failure.times ?? 1 });
    },
    close: () => server.close(),
  };
}
