import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../../connectors/registry';
import { documentTypes, type DocumentType } from '../../connectors/types';
import { listConnections, type ConnectionStatus } from '../../db/connections';
import { ensureDeliveries, type DeliveryRecord } from '../../db/deliveries';
import { storeDocument } from '../../db/documents';
import { inTransaction } from '../../db/transaction';
import { isDocumentError, type ParsedDocument } from '../../documents';
import type { Registry } from 'prom-client';
import {
  admitted,
  gateMetrics,
  LARGE_DOCUMENT_BYTES,
  LargeDocumentGate,
  readLargeXml,
} from '../large-documents';
import { ParsePool } from '../parse-pool';
import type { Config } from '../../platform/config';
import { HttpError, isDatabaseDown, parseOrThrow, postgresUnavailable } from '../errors';
import { startDeliveries } from '../../platform/start-deliveries';
import { targetErrorCodes } from '../../workflows/delivery-messages';

const documentTypeSchema = z.enum(documentTypes as [DocumentType, ...DocumentType[]], {
  error: `documentType must be one of ${documentTypes.join(', ')}`,
});
const base64 = z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/, 'must be base64');
const jsonBodySchema = z.object({
  documentType: documentTypeSchema,
  xml: z.string().min(1, 'xml is required'),
  pdf: base64
    .refine(
      (text) =>
        Buffer.from(text.replace(/[\r\n]/g, '').slice(0, 8), 'base64')
          .toString('latin1')
          .startsWith('%PDF-'),
      'pdf must be a PDF file in base64: its bytes must start with %PDF-',
    )
    .optional(),
});
/** Connections a new document is delivered to. */
const receivingStatuses: ConnectionStatus[] = ['active', 'needs-reauth'];

const idempotencyKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(255, 'at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Request schemas of this route, for the OpenAPI document. */
export const documentSchemas = { json: jsonBodySchema, documentType: documentTypeSchema };

export function presentDelivery(delivery: DeliveryRecord) {
  return {
    id: delivery.id,
    documentId: delivery.documentId,
    connectionId: delivery.connectionId,
    connectorId: delivery.connectorId,
    status: delivery.status,
    attempts: delivery.attempts,
    runs: delivery.runs,
    lastError: delivery.lastError,
    lastErrorKind: delivery.lastErrorKind,
    /** lastError when it is the target's own words (lastErrorKind is the code to translate). */
    targetMessage:
      delivery.lastErrorKind && targetErrorCodes.includes(delivery.lastErrorKind) ? delivery.lastError : null,
    nextAttemptAt: delivery.nextAttemptAt,
    receipt: delivery.receipt,
    /** Official rules of the delivered format the file does not meet (it was delivered all the same). */
    warnings: delivery.receipt?.warnings ?? [],
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    deliveredAt: delivery.deliveredAt,
  };
}

/**
 * The document's own identity: supplier, kind and number. It guards whether or not the caller sends an
 * Idempotency-Key; it is unbounded, so only its SHA-256 is indexed.
 */
function ownKey(parsed: ParsedDocument): string {
  const supplier =
    parsed.supplier.vatNumber ??
    parsed.supplier.enterpriseNumber ??
    parsed.supplier.endpointId ??
    parsed.supplier.name;
  return `ubl:${supplier}:${parsed.kind}:${parsed.number}`;
}

/** Reads the request in either shape: raw XML (type in query or header) or JSON with base64 PDF. */
function readSubmission(req: Request): { documentType: DocumentType; xml: Buffer; pdf: Buffer | null } {
  if (Buffer.isBuffer(req.body)) {
    const documentType = parseOrThrow(
      documentTypeSchema,
      req.query.documentType ?? req.header('x-document-type'),
      'documentType (query parameter or X-Document-Type header)',
    );
    return { documentType, xml: req.body, pdf: null };
  }
  if (!req.is('application/json')) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      'Send the UBL as application/xml, or JSON {documentType, xml, pdf?}.',
    );
  }
  const body = parseOrThrow(jsonBodySchema, req.body, 'body');
  return {
    documentType: body.documentType,
    xml: Buffer.from(body.xml, 'utf8'),
    pdf: body.pdf ? Buffer.from(body.pdf, 'base64') : null,
  };
}

/** Runs the storing transaction; PostgreSQL down before anything is stored answers 503 naming it. */
async function storing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isDatabaseDown(error)) throw error;
    throw postgresUnavailable('the document was not stored');
  }
}

/**
 * `POST /v1/documents`: accepts a UBL invoice or credit note once, stores it by reference and starts
 * one delivery per active connection of its type. Parsers are mounted here, not globally, so the
 * document size limit applies to this route alone.
 */
export function documentRoutes(deps: {
  pool: pg.Pool;
  temporal: Client;
  config: Config;
  connectors: ConnectorRegistry;
  /** Where the large-document gauges go (the API's /metrics). */
  registry?: Registry;
}): Router {
  const router = Router();
  const limit = deps.config.DOCUMENT_MAX_BYTES;
  const threads = deps.config.RELAIS_PARSE_THREADS;
  const parser = new ParsePool(threads, deps.config.RELAIS_PARSE_THREAD_MB);
  const gate = new LargeDocumentGate(
    deps.config.RELAIS_MAX_LARGE_PARSES ?? 4 * threads,
    deps.config.RELAIS_LARGE_DOCUMENTS_MB * 1024 * 1024,
  );
  if (deps.registry) gateMetrics(deps.registry, gate);
  const xmlTypes = ['application/xml', 'text/xml', 'application/*+xml'];
  router.post(
    '/documents',
    readLargeXml(gate, limit, xmlTypes),
    express.raw({ type: xmlTypes, limit }),
    // base64 grows a PDF by a third; the decoded sizes are checked below.
    express.json({ limit: Math.ceil(limit * 1.4) + 1024 }),
    async (req, res) => {
      const submission = readSubmission(req);
      const size = submission.xml.length + (submission.pdf?.length ?? 0);
      if (size > limit) {
        throw new HttpError(
          413,
          'payload-too-large',
          `The document is ${size} bytes; the limit is ${limit} bytes.`,
        );
      }
      // A large body readLargeXml did not read (compressed, chunked, or inside JSON) is admitted now.
      if (size >= LARGE_DOCUMENT_BYTES && !admitted(res) && !gate.enter(size, res)) throw gate.busy();
      let parsed: ParsedDocument;
      try {
        parsed = await parser.parse(submission.xml);
      } catch (error) {
        if (isDocumentError(error))
          throw new HttpError(400, error.code, error.message, [{ path: 'xml', message: error.message }]);
        throw error;
      }
      const givenKey = req.header('idempotency-key');
      const idempotencyKey =
        givenKey === undefined
          ? null
          : parseOrThrow(idempotencyKeySchema, givenKey, 'Idempotency-Key header');
      const identitySha256 = createHash('sha256').update(ownKey(parsed), 'utf8').digest();
      const sha256 = createHash('sha256')
        .update(submission.xml)
        .update(submission.pdf ?? Buffer.alloc(0))
        .digest();

      // Document and its deliveries commit together: a crash in between cannot leave a document that
      // a replay would treat as already fanned out.
      const { document, created, deliveries } = await storing(() =>
        inTransaction(deps.pool, async (db) => {
          const stored = await storeDocument(db, {
            tenantId: req.tenant.id,
            idempotencyKey,
            identitySha256,
            sha256,
            documentType: submission.documentType,
            xml: submission.xml,
            pdf: submission.pdf,
            parsed,
          });
          const { document } = stored;
          if (!document.sha256.equals(sha256) || document.documentType !== submission.documentType) {
            // Thrown inside the transaction: nothing of this request is stored.
            throw stored.matchedBy === 'key'
              ? new HttpError(
                  409,
                  'idempotency-conflict',
                  `The key "${idempotencyKey}" was used for another document.`,
                )
              : new HttpError(
                  409,
                  'document-conflict',
                  `${parsed.kind === 'credit-note' ? 'Credit note' : 'Invoice'} ${parsed.number.slice(0, 100)} of this supplier was accepted already with other content.`,
                );
          }
          // Every active connection of the type gets the document, a replay included: one that became
          // active since the first acceptance gets its delivery now (one per document and connection).
          // One waiting for its owner to sign in again gets the document too: its delivery waits, then resumes.
          const connections = (
            await listConnections(db, req.tenant.id, { documentType: submission.documentType })
          ).filter((connection) => receivingStatuses.includes(connection.status));
          const deliveries = await ensureDeliveries(db, {
            tenantId: req.tenant.id,
            documentId: stored.document.id,
            connections: connections.map((c) => ({ id: c.id, connectorId: c.connectorId })),
          });
          return { ...stored, deliveries };
        }),
      );
      // A stored document is an accepted document: from here on the answer is 202. Starting one that
      // runs or ran already is a no-op: only deliveries without a run start (those created now, or
      // ones a crash left unstarted). A start that fails is logged; the reconciler starts it later.
      try {
        if (deps.config.NODE_ENV === 'test' && deps.config.RELAIS_TEST_FAIL_AFTER_COMMIT) {
          throw new Error('RELAIS_TEST_FAIL_AFTER_COMMIT: the workflows are not started');
        }
        await startDeliveries(deps, deliveries);
      } catch (error) {
        req.log.error(
          { err: error, documentId: document.id },
          'deliveries stored but not started; the reconciler will start them',
        );
      }
      res.status(202).json({
        documentId: document.id,
        duplicate: !created,
        number: parsed.number,
        deliveries: deliveries.map(presentDelivery),
      });
    },
  );
  return router;
}
