import { Router, type Request } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../../connectors/registry';
import { documentTypes, type ConnectorDescriptor } from '../../connectors/types';
import {
  createConnection,
  disconnectConnection,
  getConnection,
  listConnections,
  type ConnectionRecord,
} from '../../db/connections';
import type { RelaisMetrics } from '../../platform/metrics';
import type { WebhookDeliveryRef } from '../../db/webhooks';
import { deleteSubmittedSecret } from '../../db/submitted-secrets';
import { inTransaction } from '../../db/transaction';
import type { Vault } from '../../platform/vault';
import { connectionSetupWorkflow } from '../../workflows/connection-setup';
import {
  connectionChangedSignal,
  deliveryWorkflowId,
  targetErrorCodes,
} from '../../workflows/delivery-messages';
import {
  cancelSetupUpdate,
  openSetupUpdate,
  setupStateQuery,
  setupWorkflowId,
  submitStepUpdate,
  type SetupInput,
  type SetupState,
} from '../../workflows/setup-messages';
import { parkedDocumentIds } from '../../db/delivery-queries';
import { lockAndCountOpenSetups } from '../../db/open-setups';
import { HttpError, parseOrThrow } from '../errors';
import { idParam } from '../id-param';
import { isTemporalUnreachable, sendSetupUpdate, temporalUnavailable } from '../setup-updates';
import { buildStepInput } from '../step-input';

export interface ConnectionRouteDeps {
  pool: pg.Pool;
  vault: Vault;
  temporal: Client;
  taskQueue: string;
  connectors: ConnectorRegistry;
  returnUrlOrigins: string[];
  setupExpiryMs: number;
  oauthWaitMs: number;
  /** Connections a tenant may have in setup at once: each holds a running workflow. */
  maxOpenSetups: number;
  /** Starts the webhook deliveries a committed change recorded; never fails (the reconciler catches up). */
  startWebhooks: (deliveries: WebhookDeliveryRef[]) => Promise<void>;
  countSetupStep: RelaisMetrics['countSetupStep'];
}

const documentTypeSchema = z.enum(documentTypes as [string, ...string[]]);
const createSchema = z.object({ connectorId: z.string().min(1), documentType: documentTypeSchema });
const listSchema = z.object({
  documentType: documentTypeSchema.optional(),
  status: z
    .enum(['setting-up', 'active', 'needs-reauth', 'disconnected', 'expired', 'failed', 'cancelled'])
    .optional(),
});
const stepSchema = z.enum(['format', 'credentials', 'oauth', 'administration', 'terms']);

/** Request schemas of these routes, for the OpenAPI document. */
export const connectionSchemas = { create: createSchema, list: listSchema };

/** A connection as the API shows it: the stored record plus, while a setup runs, its live state. */
function present(connection: ConnectionRecord, setup: SetupState | null) {
  return {
    id: connection.id,
    connectorId: connection.connectorId,
    documentType: connection.documentType,
    status: connection.status,
    statusMessage: connection.statusMessage,
    settings: setup && connection.status === 'setting-up' ? setup.settings : connection.settings,
    createdAt: connection.createdAt,
    activatedAt: connection.activatedAt,
    setup: setup && {
      mode: setup.mode,
      status: setup.status,
      steps: setup.steps,
      currentStep: setup.currentStep,
      completedSteps: setup.completedSteps,
      administrations: setup.administrations ?? null,
      oauth: setup.oauth ? { startUrl: setup.oauth.startUrl, expiresAt: setup.oauth.expiresAt } : null,
      authorization: setup.authorization
        ? { accountName: setup.authorization.accountName, reused: setup.authorization.reused }
        : null,
      // targetMessage: the message when it is the target's own words (the code is for translating).
      lastError: setup.lastError
        ? {
            ...setup.lastError,
            targetMessage: targetErrorCodes.includes(setup.lastError.code) ? setup.lastError.message : null,
          }
        : null,
      expiresAt: setup.expiresAt,
    },
  };
}

export function connectionRoutes(deps: ConnectionRouteDeps): Router {
  const router = Router();
  const { pool, temporal } = deps;

  async function loadConnection(req: Request): Promise<ConnectionRecord> {
    const connection = await getConnection(pool, req.tenant.id, idParam(req, 'No such connection.'));
    if (!connection) throw new HttpError(404, 'not-found', 'No such connection.');
    return connection;
  }

  /** The live setup state when a setup workflow is running for the connection. */
  async function runningSetup(connectionId: string): Promise<SetupState | null> {
    const handle = temporal.workflow.getHandle(setupWorkflowId(connectionId));
    try {
      const description = await handle.describe();
      return description.status.name === 'RUNNING' ? await handle.query(setupStateQuery) : null;
    } catch (error) {
      // No setup (never started, or it closed meanwhile): the stored record says all. Temporal
      // down is another matter: acting on the record alone could undo what a setup is doing.
      if (isTemporalUnreachable(error)) throw temporalUnavailable();
      return null;
    }
  }

  function setupInput(
    descriptor: ConnectorDescriptor,
    connection: ConnectionRecord,
    mode: SetupInput['mode'],
  ): SetupInput {
    const signIn = descriptor.steps.filter((step) => step === 'credentials' || step === 'oauth');
    return {
      connectionId: connection.id,
      tenantId: connection.tenantId,
      connectorId: descriptor.id,
      documentType: connection.documentType,
      mode,
      steps: mode === 'create' ? [...descriptor.steps] : signIn,
      formats: descriptor.formats.map((format) => format.id),
      termsVersion: descriptor.termsVersion,
      sharedAuthorization: descriptor.oauth?.sharedAuthorization ?? false,
      allowAllAdministrations: descriptor.administration?.allowAllCurrentAndFuture ?? false,
      settings: mode === 'create' ? { format: descriptor.formats[0]?.id } : connection.settings,
      ...(connection.authorizationId ? { authorizationId: connection.authorizationId } : {}),
      expiryMs: deps.setupExpiryMs,
      oauthWaitMs: deps.oauthWaitMs,
    };
  }

  /**
   * Creates the connection unless the tenant already has `maxOpenSetups` in setup. The count and the
   * insert hold a per-tenant lock, so simultaneous requests cannot all slip under the cap.
   */
  function createWithinOpenSetups(tenantId: string, input: Parameters<typeof createConnection>[1]) {
    return inTransaction(pool, async (db) => {
      const open = await lockAndCountOpenSetups(db, tenantId);
      if (open >= deps.maxOpenSetups) {
        throw new HttpError(
          429,
          'too-many-open-setups',
          `You already have ${open} connections in setup, the most allowed at once. Finish or cancel ` +
            'one of them (POST /v1/connections/{id}/cancel) before starting another; abandoned setups expire by themselves.',
        );
      }
      return createConnection(db, input);
    });
  }

  /** Starts the setup workflow and returns its prepared first step, in one round trip (update-with-start). */
  function startSetup(input: SetupInput): Promise<SetupState> {
    return sendSetupUpdate(() =>
      temporal.workflow.executeUpdateWithStart(openSetupUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(connectionSetupWorkflow, {
          workflowId: setupWorkflowId(input.connectionId),
          taskQueue: deps.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
        }),
      }),
    );
  }

  router.get('/connections', async (req, res) => {
    const filter = parseOrThrow(listSchema, req.query, 'query');
    const connections = await listConnections(
      pool,
      req.tenant.id,
      filter as Parameters<typeof listConnections>[2],
    );
    res.json({ connections: connections.map((connection) => present(connection, null)) });
  });

  router.post('/connections', async (req, res) => {
    const body = parseOrThrow(createSchema, req.body, 'body');
    const descriptor = deps.connectors.descriptor(body.connectorId);
    if (!descriptor) {
      throw new HttpError(400, 'invalid-request', `Unknown connector "${body.connectorId}"`, [
        { path: 'connectorId', message: 'Unknown connector' },
      ]);
    }
    if (!descriptor.documentTypes.includes(body.documentType as never)) {
      throw new HttpError(
        400,
        'invalid-request',
        `${descriptor.displayName} does not take ${body.documentType}`,
        [{ path: 'documentType', message: `Not supported by ${descriptor.displayName}` }],
      );
    }
    if (!descriptor.available) {
      throw new HttpError(
        422,
        'connector-unavailable',
        `${descriptor.displayName} cannot be connected yet: its setup is not available.`,
      );
    }
    const connection = await createWithinOpenSetups(req.tenant.id, {
      tenantId: req.tenant.id,
      connectorId: descriptor.id,
      documentType: body.documentType as ConnectionRecord['documentType'],
    });
    const setup = await startSetup(setupInput(descriptor, connection, 'create'));
    res.status(201).json({ connection: present(await loadConnectionById(req, connection.id), setup) });
  });

  async function loadConnectionById(req: Request, id: string): Promise<ConnectionRecord> {
    return (await getConnection(pool, req.tenant.id, id))!;
  }

  router.get('/connections/:id', async (req, res) => {
    const connection = await loadConnection(req);
    res.json({ connection: present(connection, await runningSetup(connection.id)) });
  });

  router.post('/connections/:id/steps/:step', async (req, res) => {
    const connection = await loadConnection(req);
    const step = parseOrThrow(stepSchema, req.params.step, 'step');
    const descriptor = deps.connectors.descriptor(connection.connectorId)!;
    const input = await buildStepInput(
      { pool, vault: deps.vault, returnUrlOrigins: deps.returnUrlOrigins },
      { tenantId: req.tenant.id, descriptor, step, body: req.body, acceptedBy: req.header('x-relais-user') },
    );
    const handle = temporal.workflow.getHandle(setupWorkflowId(connection.id));
    const counted = { connector: connection.connectorId, step };
    const setup = await sendSetupUpdate(() =>
      handle.executeUpdate(submitStepUpdate, { args: [input] }),
    ).catch(async (error: unknown) => {
      const refused = error instanceof HttpError && error.status < 500;
      deps.countSetupStep({ ...counted, outcome: refused ? 'refused' : 'error' });
      // A refused step never uses the secret it brought (only a checked one is kept): none stays stored.
      if (error instanceof HttpError && input.step === 'credentials' && input.secretRef) {
        await deleteSubmittedSecret(pool, req.tenant.id, input.secretRef);
      }
      throw error;
    });
    deps.countSetupStep({ ...counted, outcome: 'accepted' });
    res.json({ connection: present(await loadConnection(req), setup) });
  });

  router.post('/connections/:id/cancel', async (req, res) => {
    const connection = await loadConnection(req);
    const handle = temporal.workflow.getHandle(setupWorkflowId(connection.id));
    const setup = await sendSetupUpdate(() => handle.executeUpdate(cancelSetupUpdate));
    res.json({ connection: present(await loadConnection(req), setup) });
  });

  router.post('/connections/:id/reauthorize', async (req, res) => {
    const connection = await loadConnection(req);
    if (connection.status !== 'active' && connection.status !== 'needs-reauth') {
      throw new HttpError(
        409,
        'not-reauthorizable',
        `A ${connection.status} connection cannot be re-authorized; create a new one.`,
      );
    }
    const descriptor = deps.connectors.descriptor(connection.connectorId)!;
    const setup = await startSetup(setupInput(descriptor, connection, 'reauthorize'));
    res.json({ connection: present(connection, setup) });
  });

  router.post('/connections/:id/disconnect', async (req, res) => {
    const connection = await loadConnection(req);
    const setup = await runningSetup(connection.id);
    if (setup) {
      const handle = temporal.workflow.getHandle(setupWorkflowId(connection.id));
      await sendSetupUpdate(() => handle.executeUpdate(cancelSetupUpdate)).catch((error: unknown) => {
        // The setup ended on its own meanwhile (409): disconnect anyway. Temporal down: change nothing.
        if (error instanceof HttpError && error.status === 409) return;
        throw error;
      });
    }
    await deps.startWebhooks(
      await disconnectConnection(pool, req.tenant.id, connection.id, 'Disconnected by the user.'),
    );
    // Deliveries parked for a re-authorization that will not come fail now, visibly.
    const parked = await parkedDocumentIds(pool, req.tenant.id, connection.id);
    await Promise.all(
      parked.map((documentId) =>
        temporal.workflow
          .getHandle(deliveryWorkflowId(documentId, connection.id))
          .signal(connectionChangedSignal, { status: 'disconnected' })
          .catch(() => undefined),
      ),
    );
    res.json({ connection: present(await loadConnection(req), null) });
  });

  return router;
}
