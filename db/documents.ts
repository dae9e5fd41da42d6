import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DocumentType } from '../connectors/types';
import type { ParsedDocument } from '../documents';

export interface StoredDocument {
  id: string;
  tenantId: string;
  documentType: DocumentType;
  sha256: Buffer;
  xml: Buffer;
  pdf: Buffer | null;
  summary: DocumentSummary;
  createdAt: string;
}

/** A stored document without its bytes: what accepting one needs (reading 20 MB back as hex costs 100 MB). */
export type StoredDocumentHeader = Omit<StoredDocument, 'xml' | 'pdf'>;
const HEADER_COLUMNS = 'id, tenant_id, document_type, sha256, summary, created_at';

/** What deliveries need to know about a document without reparsing it (no PDF, no lines). */
export type DocumentSummary = Omit<ParsedDocument, 'pdf'> & { hasPdf: boolean };

export function summarize(parsed: ParsedDocument): DocumentSummary {
  const { pdf, ...rest } = parsed;
  return { ...rest, hasPdf: Boolean(pdf) };
}

/**
 * Stores a document once per tenant and identity (supplier + kind + number, as a SHA-256: the text is
 * unbounded) and once per Idempotency-Key when the caller gives one. Returns the stored row and
 * whether this call created it; when either guard holds an earlier document, that one is returned,
 * whatever its bytes (the key's match first), with what matched.
 */
export async function storeDocument(
  db: pg.Pool | pg.PoolClient,
  input: {
    tenantId: string;
    idempotencyKey: string | null;
    identitySha256: Buffer;
    sha256: Buffer;
    documentType: DocumentType;
    xml: Buffer;
    pdf: Buffer | null;
    parsed: ParsedDocument;
  },
): Promise<{ document: StoredDocumentHeader; created: boolean; matchedBy: 'key' | 'identity' | null }> {
  const id = randomUUID();
  const inserted = await db.query(
    `insert into documents (id, tenant_id, idempotency_key, identity_sha256, sha256, document_type, kind, flavour, number, issue_date, xml, pdf, summary)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     on conflict do nothing returning id`,
    [
      id,
      input.tenantId,
      input.idempotencyKey,
      input.identitySha256,
      input.sha256,
      input.documentType,
      input.parsed.kind,
      input.parsed.flavour,
      input.parsed.number,
      input.parsed.issueDate,
      input.xml,
      input.pdf,
      JSON.stringify(summarize(input.parsed)),
    ],
  );
  if (inserted.rowCount === 1) {
    const { rows } = await db.query(`select ${HEADER_COLUMNS} from documents where id = $1`, [id]);
    return { document: headerFromRow(rows[0]), created: true, matchedBy: null };
  }
  const { rows } = await db.query(
    `select ${HEADER_COLUMNS}, (idempotency_key is not null and idempotency_key = $2) as matched_key from documents
      where tenant_id = $1 and ((idempotency_key is not null and idempotency_key = $2) or identity_sha256 = $3)
      order by matched_key desc limit 1`,
    [input.tenantId, input.idempotencyKey, input.identitySha256],
  );
  if (!rows[0]) throw new Error('document insert conflicted, yet no document holds its key or identity');
  return {
    document: headerFromRow(rows[0]),
    created: false,
    matchedBy: rows[0].matched_key ? 'key' : 'identity',
  };
}

export async function loadDocument(
  db: pg.Pool,
  tenantId: string,
  id: string,
): Promise<StoredDocument | undefined> {
  const { rows } = await db.query('select * from documents where id = $1 and tenant_id = $2', [id, tenantId]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

function headerFromRow(row: Record<string, unknown>): StoredDocumentHeader {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    documentType: row.document_type as DocumentType,
    sha256: row.sha256 as Buffer,
    summary: row.summary as DocumentSummary,
    createdAt: (row.created_at as Date).toISOString(),
  };
}

function fromRow(row: Record<string, unknown>): StoredDocument {
  return { ...headerFromRow(row), xml: row.xml as Buffer, pdf: row.pdf as Buffer | null };
}
