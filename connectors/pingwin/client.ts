import { z } from 'zod';
import { ConnectorError } from '../errors';
import { httpFailure } from '../shared/http-failure';
import { credentialRefusal, requestTarget, type TargetAnswer } from '../shared/target-request';
import type { PingwinConfig } from './config';

const TARGET = 'PingWin';

/** Who calls: the file's API key (secret), the CLID from PingWin support, the file's ID. */
export interface PingwinAccess {
  apiKey: string;
  clid: string;
  fileId: string;
}

const fileSchema = z.object({ id: z.string(), name: z.string().optional() });
const documentSchema = z.object({ id: z.string(), externalId: z.string() });
const documentListSchema = z.object({ documents: z.array(documentSchema) });

export type PingwinDocument = z.infer<typeof documentSchema>;

export interface PingwinUpload {
  /** Our delivery id: PingWin keeps it, so a retried upload can be recognised. */
  externalId: string;
  direction: 'purchase' | 'sales';
  fileName: string;
  content: Buffer;
}

/** The assumed PingWin REST contract (README.md), one method per call. */
export function createPingwinClient(config: PingwinConfig, access: PingwinAccess) {
  const url = (template: string, query?: Record<string, string>) => {
    const path = template.replaceAll('{fileId}', encodeURIComponent(access.fileId));
    const search = query ? `?${new URLSearchParams(query)}` : '';
    return `${config.apiUrl}${path}${search}`;
  };
  const headers = (extra: Record<string, string> = {}) => ({
    [config.apiKeyHeader]: access.apiKey,
    [config.clidHeader]: access.clid,
    accept: 'application/json',
    ...extra,
  });

  return {
    /** The harmless call of the setup: reads the file the key and CLID must open. */
    async readFile(): Promise<{ id: string; name: string }> {
      const action = `open file ${access.fileId}`;
      const answer = await requestTarget(TARGET, action, url(config.filePath), { headers: headers() });
      if (!succeeded(answer)) throw credentialRefusal(TARGET, answer);
      const file = parseJson(fileSchema, answer, action);
      return { id: file.id, name: file.name ?? file.id };
    },

    /** The document PingWin holds under our delivery id, if an earlier attempt got it there. */
    async findDocument(externalId: string): Promise<PingwinDocument | undefined> {
      const action = 'look up an earlier upload of the invoice';
      const answer = await requestTarget(TARGET, action, url(config.documentsPath, { externalId }), {
        headers: headers(),
      });
      if (!succeeded(answer)) throw httpFailure(TARGET, action, answer);
      return parseJson(documentListSchema, answer, action).documents.find(
        (document) => document.externalId === externalId,
      );
    },

    /**
     * Uploads one UBL document. The Idempotency-Key (our delivery id) makes PingWin answer a repeat
     * with 409 and the existing document instead of filing it twice: `duplicate` says so.
     */
    async uploadDocument(upload: PingwinUpload): Promise<{ document: PingwinDocument; duplicate: boolean }> {
      const action = `file the invoice ${upload.fileName}`;
      const answer = await requestTarget(TARGET, action, url(config.documentsPath), {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json', 'idempotency-key': upload.externalId }),
        body: JSON.stringify({
          externalId: upload.externalId,
          direction: upload.direction,
          fileName: upload.fileName,
          content: upload.content.toString('base64'),
        }),
      });
      // 201 as assumed; any other 2xx also means PingWin took it, never a refusal.
      if (succeeded(answer)) return { document: parseJson(documentSchema, answer, action), duplicate: false };
      if (answer.status === 409) {
        const existing = documentSchema.safeParse(safeJson(answer.body));
        // A 409 about another document (not ours) is a refusal like any other 4xx.
        if (existing.success && existing.data.externalId === upload.externalId) {
          return { document: existing.data, duplicate: true };
        }
      }
      throw httpFailure(TARGET, action, answer);
    },
  };
}

export type PingwinClient = ReturnType<typeof createPingwinClient>;

const succeeded = (answer: TargetAnswer) => answer.status >= 200 && answer.status < 300;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 2xx answer we cannot read means the assumed contract is wrong or PingWin misbehaves: retry, loudly. */
function parseJson<T>(schema: z.ZodType<T>, answer: TargetAnswer, action: string): T {
  const parsed = schema.safeParse(safeJson(answer.body));
  if (!parsed.success) {
    throw new ConnectorError(
      'unavailable',
      `PingWin sent an answer Relais cannot read (asked to ${action}, HTTP ${answer.status}).`,
      { status: answer.status },
    );
  }
  return parsed.data;
}
