import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { ConnectorError } from '../connectors/errors';
import type { ConnectorRegistry } from '../connectors/registry';
import { inSpan } from '../connectors/shared/trace-span';
import type {
  ConnectorImplementation,
  DeliveryConfirmation,
  DeliveryReceipt,
  OutputFormat,
} from '../connectors/types';
import { getConnection, type ConnectionRecord } from '../db/connections';
import { forgetPendingReference, pendingReferenceOf } from '../db/delivery-confirmations';
import { setDeliveryStatus, type DeliveryStatusUpdate } from '../db/deliveries';
import {
  recordDeliveryEvent,
  setDeliveryStatusWithEvent,
  startAttempt,
  type DeliveryEventInput,
} from '../db/delivery-events';
import { loadDocument, type StoredDocument } from '../db/documents';
import { parkedDocumentIds } from '../db/delivery-queries';
import { renditionOf } from '../db/renditions';
import { singleFlight } from '../platform/single-flight';
import { getTenant } from '../db/tenants';
import {
  deliveryFileName,
  formatWarnings,
  isDocumentError,
  pdfForDocument,
  renderDocument,
} from '../documents';
import type { Config } from '../platform/config';
import type { Vault } from '../platform/vault';
import {
  deliveryFailureTypes,
  deliveryRetry,
  targetErrorCodes,
  type DeliveryInput,
} from '../workflows/delivery-messages';
import { freshCredentials, markAuthorizationExpired } from './credentials';
import { startWebhooksAfterCommit } from './webhooks';

export interface DeliveryDeps {
  pool: pg.Pool;
  vault: Vault;
  connectors: ConnectorRegistry;
  softwareVersion: string;
  /** Where status changes start their webhook deliveries (absent: the reconciler starts them). */
  temporal?: Client;
  config?: Config;
}

const nonRetryableKinds: Partial<Record<ConnectorError['kind'], string>> = {
  rejected: deliveryFailureTypes.rejected,
  misconfigured: deliveryFailureTypes.misconfigured,
  'invalid-credentials': deliveryFailureTypes.authorizationExpired,
  'auth-expired': deliveryFailureTypes.authorizationExpired,
};

/** How often a running attempt heartbeats: well inside the workflow's heartbeat timeout (20 s by default). */
const heartbeatEveryMs = 3_000;

/** When the next attempt runs: the target's Retry-After, else the workflow's exponential back-off. */
function nextDelayMs(attempt: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const backoff = deliveryRetry.initialIntervalMs * deliveryRetry.backoffCoefficient ** (attempt - 1);
  return Math.min(backoff, deliveryRetry.maximumIntervalMs);
}

/**
 * Names the activity execution that writes a delivery event: its workflow run and activity id, plus the
 * attempt where each attempt is an event of its own. The same execution run again writes the same key.
 */
function executionKey(options: { perAttempt: boolean }): string {
  const { workflowExecution, activityId, attempt } = Context.current().info;
  const key = `${workflowExecution?.runId ?? 'none'}/${activityId}`;
  return options.perAttempt ? `${key}/${attempt}` : key;
}

/** What a delivery accepted for later processing shows while Relais waits for the target. */
function awaitingMessage(implementation: ConnectorImplementation, reference: string): string {
  const target = implementation.descriptor.displayName;
  return `${target} accepted the document (reference ${reference}) and processes it; Relais checks until ${target} confirms it.`;
}

export function createDeliveryActivities(deps: DeliveryDeps) {
  const { pool } = deps;

  /** Writes the status (and the timeline event saying why), then starts the webhooks it caused. */
  async function setStatus(
    id: string,
    update: DeliveryStatusUpdate,
    event?: DeliveryEventInput,
  ): Promise<void> {
    const webhooks = event
      ? await setDeliveryStatusWithEvent(pool, id, update, event)
      : await setDeliveryStatus(pool, id, update);
    await startWebhooksAfterCommit(deps, webhooks);
  }

  // Deliveries of one document to several connections run at once: one rendering per format serves all.
  const renderOnce = singleFlight<Buffer>();

  /** The stored rendering of the document in `format`, made (and stored) by one of the callers that need it. */
  function renditionFor(document: StoredDocument, format: string, make: () => Buffer): Promise<Buffer> {
    return renderOnce(`${document.id}/${format}`, () =>
      renditionOf(
        pool,
        {
          tenantId: document.tenantId,
          documentId: document.id,
          format,
          softwareVersion: deps.softwareVersion,
        },
        make,
      ),
    );
  }

  async function render(
    document: StoredDocument,
    connection: ConnectionRecord,
    implementation: ConnectorImplementation,
  ) {
    const format =
      (connection.settings.format as OutputFormat | undefined) ?? implementation.descriptor.formats[0]!.id;
    try {
      // Rendered once per document and format and kept: every attempt sends the same bytes.
      const content = await renditionFor(document, format, () =>
        renderDocument(document.xml, format, {
          softwareName: 'Relais',
          softwareVersion: deps.softwareVersion,
          ...(document.pdf ? { pdf: document.pdf } : {}),
        }),
      );
      return { content, warnings: formatWarnings(content, format) };
    } catch (error) {
      if (isDocumentError(error)) {
        throw new ConnectorError(
          'rejected',
          `The document cannot be rendered as ${format}: ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** The PDF beside the XML: the document's own, else a summary rendered once and stored like a rendition. */
  function pdfOf(document: StoredDocument): Promise<Buffer> {
    if (document.pdf) return Promise.resolve(document.pdf);
    return renditionFor(document, 'pdf', () =>
      pdfForDocument(document.xml, { softwareName: 'Relais', softwareVersion: deps.softwareVersion }),
    );
  }

  /**
   * The target accepted the document for later processing: the row stays `delivering`, says what it
   * waits for, and keeps the reference (before anything else can fail) so no attempt sends it again.
   */
  async function markAwaitingConfirmation(
    deliveryId: string,
    implementation: ConnectorImplementation,
    receipt: DeliveryReceipt,
    attempt: number,
  ): Promise<void> {
    const reference = receipt.pending!.reference;
    if (!implementation.confirmDelivery) {
      throw new Error(
        `Connector ${implementation.descriptor.id} answered a pending receipt but cannot confirm it`,
      );
    }
    await setStatus(
      deliveryId,
      {
        status: 'delivering',
        attempts: attempt,
        lastError: awaitingMessage(implementation, reference),
        lastErrorKind: 'awaiting-confirmation',
        receipt: { ...receipt },
      },
      {
        key: executionKey({ perAttempt: true }),
        type: 'attempt',
        outcome: 'awaiting-confirmation',
        attempt,
        code: 'awaiting-confirmation',
        receipt: { reference },
      },
    );
  }

  /** Loads, renders, delivers (idempotently at the target) and records the receipt. */
  async function deliverOnce(input: DeliveryInput, attempt: number): Promise<DeliveryReceipt> {
    const [document, connection, tenant] = await Promise.all([
      loadDocument(pool, input.tenantId, input.documentId),
      getConnection(pool, input.tenantId, input.connectionId),
      getTenant(pool, input.tenantId),
    ]);
    if (!document || !connection)
      throw new Error(`Delivery ${input.deliveryId}: its document or connection is gone`);
    if (connection.status === 'needs-reauth') {
      throw new ConnectorError(
        'auth-expired',
        connection.statusMessage ?? 'The connection needs to be re-authorized.',
      );
    }
    if (connection.status !== 'active' || !connection.authorizationId) {
      throw ApplicationFailure.create({
        type: deliveryFailureTypes.connectionClosed,
        message: `The connection is ${connection.status}; nothing was sent.`,
        nonRetryable: true,
      });
    }
    await startAttempt(pool, input.deliveryId, attempt);
    const implementation = deps.connectors.implementation(connection.connectorId);
    // Accepted earlier for later processing (the target took no idempotency key): never send it again.
    const known = await pendingReferenceOf(pool, input.tenantId, input.deliveryId);
    if (known) {
      const receipt: DeliveryReceipt = { alreadyPresent: true, pending: { reference: known } };
      await markAwaitingConfirmation(input.deliveryId, implementation, receipt, attempt);
      return receipt;
    }
    const { content, warnings } = await render(document, connection, implementation);
    const summary = document.summary;
    const fileName = deliveryFileName({
      issueDate: summary.issueDate,
      number: summary.number,
      shortId: document.id.slice(0, 8),
    });
    const deliver = async (rejectedAccessToken?: string) => {
      const authorization = await freshCredentials(deps, {
        tenantId: input.tenantId,
        authorizationId: connection.authorizationId!,
        settings: connection.settings,
        ...(rejectedAccessToken ? { rejectedAccessToken } : {}),
      });
      const call = implementation.deliver!({
        deliveryId: input.deliveryId,
        documentType: document.documentType,
        fileName,
        content,
        contentType: 'application/xml',
        document: {
          number: summary.number,
          issueDate: summary.issueDate,
          kind: summary.kind,
          supplierName: summary.supplier.name,
          customerName: summary.customer.name,
          ...(summary.supplier.vatNumber ? { supplierVat: summary.supplier.vatNumber } : {}),
          ...(summary.customer.vatNumber ? { customerVat: summary.customer.vatNumber } : {}),
        },
        settings: connection.settings,
        credentials: authorization.credentials,
        pdf: () => pdfOf(document),
        // The platform's customer number of the company: the SFTP path's [external_id].
        ...(tenant?.customerNumber ? { company: { externalId: tenant.customerNumber } } : {}),
      });
      return { call, authorization };
    };
    // The connector's part of the attempt, in a span of its own: the target's calls are its children.
    const receipt = await inSpan(
      `deliver ${connection.connectorId}`,
      {
        'relais.connector': connection.connectorId,
        'relais.delivery_id': input.deliveryId,
        'relais.document_id': input.documentId,
        'relais.connection_id': input.connectionId,
        'relais.tenant_id': input.tenantId,
        'relais.attempt': attempt,
      },
      async () => {
        const { call, authorization } = await deliver();
        try {
          return await call;
        } catch (error) {
          // An access token refused before its time: refresh once (serialized) and try again.
          if (!(
            error instanceof ConnectorError &&
            error.kind === 'auth-expired' &&
            authorization.credentials.kind === 'tokens'
          )) {
            throw error;
          }
          return await (
            await deliver(authorization.credentials.tokens.accessToken)
          ).call;
        }
      },
    );
    if (receipt.pending) {
      await markAwaitingConfirmation(input.deliveryId, implementation, receipt, attempt);
      return receipt;
    }
    await setStatus(
      input.deliveryId,
      {
        status: 'delivered',
        attempts: attempt,
        lastError: null,
        // Rules of the format the file does not meet: delivered all the same, and said (issue 16.3).
        receipt: { ...receipt, ...(warnings.length ? { warnings } : {}) },
      },
      {
        key: executionKey({ perAttempt: true }),
        type: 'attempt',
        outcome: 'delivered',
        attempt,
        receipt: { ...receipt, fileName },
      },
    );
    return receipt;
  }

  return {
    async deliverDocument(input: DeliveryInput): Promise<DeliveryReceipt> {
      const context = Context.current();
      const { attempt } = context.info;
      // Alive while the attempt runs: a killed worker's attempt times out on the missing heartbeats.
      const heartbeats = setInterval(() => context.heartbeat(), heartbeatEveryMs);
      try {
        return await deliverOnce(input, attempt);
      } catch (error) {
        if (!(error instanceof ConnectorError)) {
          if (!(error instanceof ApplicationFailure)) {
            const nextAttemptAt = new Date(Date.now() + nextDelayMs(attempt, undefined));
            await setStatus(
              input.deliveryId,
              {
                status: 'retrying',
                attempts: attempt,
                lastError: 'Relais could not complete this attempt; it will try again.',
                lastErrorKind: 'internal',
                nextAttemptAt,
              },
              {
                key: executionKey({ perAttempt: true }),
                type: 'attempt',
                outcome: 'retrying',
                attempt,
                code: 'internal',
                nextAttemptAt,
              },
            );
          }
          throw error;
        }
        const nonRetryable = nonRetryableKinds[error.kind];
        if (nonRetryable === deliveryFailureTypes.authorizationExpired) {
          await startWebhooksAfterCommit(
            deps,
            await markAuthorizationExpired(pool, input.tenantId, input.connectionId, error.message),
          );
        }
        if (nonRetryable && nonRetryable !== deliveryFailureTypes.authorizationExpired) {
          // Refused for good: the workflow records the failure; this attempt's outcome is the refusal.
          await recordDeliveryEvent(pool, input.deliveryId, {
            key: executionKey({ perAttempt: true }),
            type: 'attempt',
            outcome: 'rejected',
            attempt,
            code: error.kind,
            targetMessage: error.message,
          });
        }
        if (nonRetryable) {
          throw ApplicationFailure.create({ type: nonRetryable, message: error.message, nonRetryable: true });
        }
        const nextAttemptAt = new Date(Date.now() + nextDelayMs(attempt, error.retryAfterMs));
        await setStatus(
          input.deliveryId,
          {
            status: 'retrying',
            attempts: attempt,
            lastError: error.message,
            lastErrorKind: error.kind,
            nextAttemptAt,
          },
          {
            key: executionKey({ perAttempt: true }),
            type: 'attempt',
            outcome: 'retrying',
            attempt,
            code: error.kind,
            targetMessage: error.message,
            nextAttemptAt,
          },
        );
        throw ApplicationFailure.create({
          type:
            error.kind === 'rate-limited'
              ? deliveryFailureTypes.rateLimited
              : deliveryFailureTypes.unavailable,
          message: error.message,
          ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
        });
      } finally {
        clearInterval(heartbeats);
      }
    },

    /**
     * Asks the target about a document it accepted for later processing. A target that cannot answer
     * now (down, throttling) counts as "not yet": the workflow's own schedule and longest wait bound
     * the asking. A refusal ends the delivery with the target's reason and forgets the reference, so
     * a retry files the document anew.
     */
    async confirmDelivery(
      input: Pick<DeliveryInput, 'deliveryId' | 'tenantId' | 'connectionId' | 'documentId'> & {
        reference: string;
      },
    ): Promise<{ done: true; receipt: DeliveryReceipt } | { done: false; message: string }> {
      const [document, connection] = await Promise.all([
        loadDocument(pool, input.tenantId, input.documentId),
        getConnection(pool, input.tenantId, input.connectionId),
      ]);
      if (!document || !connection?.authorizationId) {
        throw ApplicationFailure.create({
          type: deliveryFailureTypes.connectionClosed,
          message: 'The connection was removed before the target confirmed the delivery.',
          nonRetryable: true,
        });
      }
      const implementation = deps.connectors.implementation(connection.connectorId);
      const waiting = awaitingMessage(implementation, input.reference);
      let answer: DeliveryConfirmation;
      try {
        const { credentials } = await freshCredentials(deps, {
          tenantId: input.tenantId,
          authorizationId: connection.authorizationId,
          settings: connection.settings,
        });
        answer = await implementation.confirmDelivery!({
          reference: input.reference,
          documentType: document.documentType,
          settings: connection.settings,
          credentials,
        });
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        if (error.retryable) {
          await setStatus(input.deliveryId, {
            status: 'delivering',
            lastError: `${waiting} Last check: ${error.message}`,
            lastErrorKind: 'awaiting-confirmation',
          });
          return { done: false, message: waiting };
        }
        if (error.kind === 'rejected') await forgetPendingReference(pool, input.tenantId, input.deliveryId);
        throw ApplicationFailure.create({
          type: nonRetryableKinds[error.kind] ?? deliveryFailureTypes.rejected,
          message: error.message,
          nonRetryable: true,
        });
      }
      if (!answer.done) return { done: false, message: waiting };
      const receipt: DeliveryReceipt = {
        alreadyPresent: false,
        ...(answer.remoteId ? { remoteId: answer.remoteId } : {}),
        details: { ...answer.details, reference: input.reference },
      };
      await setStatus(
        input.deliveryId,
        { status: 'delivered', lastError: null, receipt: { ...receipt } },
        { key: executionKey({ perAttempt: false }), type: 'delivered', receipt: { ...receipt } },
      );
      return { done: true, receipt };
    },

    async markDeliveryWaiting(input: { deliveryId: string; message: string }): Promise<void> {
      await setStatus(
        input.deliveryId,
        { status: 'waiting-for-connection', lastError: input.message, lastErrorKind: 'auth-expired' },
        {
          key: executionKey({ perAttempt: false }),
          type: 'parked',
          code: 'auth-expired',
          targetMessage: input.message,
        },
      );
    },

    async markDeliveryFailed(input: { deliveryId: string; kind: string; message: string }): Promise<void> {
      await setStatus(
        input.deliveryId,
        { status: 'failed', lastError: input.message, lastErrorKind: input.kind },
        {
          key: executionKey({ perAttempt: false }),
          type: 'failed',
          code: input.kind,
          // Relais's own reasons (gave up, parked too long, ...) are the code's to say, in the reader's language.
          ...(targetErrorCodes.includes(input.kind) ? { targetMessage: input.message } : {}),
        },
      );
    },

    async connectionStatus(input: { tenantId: string; connectionId: string }): Promise<string> {
      return (await getConnection(pool, input.tenantId, input.connectionId))?.status ?? 'disconnected';
    },

    /** Deliveries parked on a connection, for the setup workflow to wake after a re-authorization. */
    async listWaitingDeliveries(input: { tenantId: string; connectionId: string }): Promise<string[]> {
      return parkedDocumentIds(pool, input.tenantId, input.connectionId);
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
