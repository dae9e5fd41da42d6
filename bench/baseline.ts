import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshCredentials } from '../activities/credentials';
import { ConnectorError } from '../connectors/errors';
import { createConnectorRegistry } from '../connectors/registry';
import type { Credentials, DeliveryInput, Settings } from '../connectors/types';
import { getConnection } from '../db/connections';
import { deliveryFileName, parseUbl, renderDocument } from '../documents';
import { parseKeySpec } from '../platform/master-keys';
import { relaisVersion } from '../platform/version';
import type { BenchStack } from './stack';
import { benchInvoice, inLanes } from './submit';

export interface BaselineResult {
  uploads: number;
  wallMs: number;
  /** Per document: parse, render, upload to SFTP, then to Dropbox (milliseconds). */
  documentMs: number[];
  uploadMs: { sftp: number[]; dropbox: number[] };
  /** Uploads tried again after the server refused to connect (OpenSSH's MaxStartups, see below). */
  retries: number;
}

/** How often, and after how long, the loops try an upload again that the target refused to take. */
const RETRY = { attempts: 5, pauseMs: 200 };

interface Target {
  connectorId: 'sftp' | 'dropbox';
  deliver: (input: DeliveryInput) => Promise<unknown>;
  settings: Settings;
  credentials: Credentials;
}

/**
 * The same work without Relais: each document parsed, rendered as UBL.BE (what both connections
 * asked for) and uploaded by the connectors' own delivery code, with the credentials the setup stored,
 * to the same OpenSSH server and Dropbox fake, by `concurrency` plain loops. No API, no PostgreSQL
 * write, no Temporal: what is left is the cost of the work itself.
 */
export async function runBaseline(
  stack: BenchStack,
  options: { count: number; concurrency: number; prefix: string },
): Promise<BaselineResult> {
  const targets = await Promise.all([
    loadTarget(stack, 'sftp', stack.connections.sftp),
    loadTarget(stack, 'dropbox', stack.connections.dropbox),
  ]);
  const uploadMs: BaselineResult['uploadMs'] = { sftp: [], dropbox: [] };
  let retries = 0;
  // OpenSSH drops new connections at random beyond 10 unauthenticated ones (MaxStartups 10:30:100):
  // with 16 loops some handshakes are refused, and a plain loop must try again as Relais does.
  const withRetries = async (upload: () => Promise<unknown>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await upload();
      } catch (error) {
        const retryable = error instanceof ConnectorError && error.kind === 'unavailable';
        if (!retryable || attempt >= RETRY.attempts) throw error;
        retries++;
        await sleep(RETRY.pauseMs);
      }
    }
  };
  const started = performance.now();
  const documentMs = await inLanes(options.count, options.concurrency, async (index) => {
    const begun = performance.now();
    const xml = benchInvoice(`${options.prefix}-${String(index + 1).padStart(6, '0')}`);
    const parsed = parseUbl(xml);
    const content = renderDocument(xml, 'ubl-be-3', {
      softwareName: 'Relais',
      softwareVersion: relaisVersion,
    });
    for (const target of targets) {
      const uploadStarted = performance.now();
      const input: DeliveryInput = {
        deliveryId: randomUUID(),
        documentType: 'purchase-invoice',
        fileName: deliveryFileName({
          issueDate: parsed.issueDate,
          number: parsed.number,
          shortId: 'baseline',
        }),
        content,
        contentType: 'application/xml',
        pdf: () => Promise.reject(new Error('SFTP and Dropbox take no PDF')),
        document: {
          number: parsed.number,
          issueDate: parsed.issueDate,
          kind: parsed.kind,
          supplierName: parsed.supplier.name,
          customerName: parsed.customer.name,
          ...(parsed.supplier.vatNumber ? { supplierVat: parsed.supplier.vatNumber } : {}),
          ...(parsed.customer.vatNumber ? { customerVat: parsed.customer.vatNumber } : {}),
        },
        settings: target.settings,
        credentials: target.credentials,
      };
      await withRetries(() => target.deliver(input));
      uploadMs[target.connectorId].push(performance.now() - uploadStarted);
    }
    return performance.now() - begun;
  });
  return {
    uploads: options.count * targets.length,
    wallMs: performance.now() - started,
    documentMs,
    uploadMs,
    retries,
  };
}

/** A connection's settings and decrypted credentials, read once, and its connector's delivery code. */
async function loadTarget(
  stack: BenchStack,
  connectorId: Target['connectorId'],
  connectionId: string,
): Promise<Target> {
  const { pool } = stack.db;
  const connection = await getConnection(pool, stack.relais.tenant.id, connectionId);
  if (!connection?.authorizationId)
    throw new Error(`The ${connectorId} connection ${connectionId} has no authorization`);
  const connectors = createConnectorRegistry(stack.env);
  const { credentials } = await freshCredentials(
    { pool, vault: parseKeySpec(stack.env.RELAIS_MASTER_KEY!), connectors },
    {
      tenantId: stack.relais.tenant.id,
      authorizationId: connection.authorizationId,
      settings: connection.settings,
    },
  );
  return {
    connectorId,
    deliver: connectors.implementation(connectorId).deliver!,
    settings: connection.settings,
    credentials,
  };
}
