import { Router } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../../connectors/registry';
import { getConnection } from '../../db/connections';
import { recordAuditEvent } from '../../db/audit';
import {
  documentIdsSince,
  listDeliveries,
  requeueDeliveries,
  requeueDelivery,
} from '../../db/delivery-queries';
import { ensureDeliveries, getDelivery, type DeliveryRecord } from '../../db/deliveries';
import type { Config } from '../../platform/config';
import { HttpError, parseOrThrow } from '../errors';
import { dateTimeParam } from '../date-time';
import { cursorParam, decodeCursor, pageOf } from '../keyset-cursor';
import { idParam } from '../id-param';
import { deliveryRunState, startDeliveries } from '../../platform/start-deliveries';
import { presentDelivery } from './documents';

const listSchema = z.object({
  status: z
    .enum(['queued', 'delivering', 'retrying', 'waiting-for-connection', 'delivered', 'failed'])
    .optional(),
  connectionId: z.uuid().optional(),
  documentId: z.uuid().optional(),
  since: dateTimeParam('since').optional(),
  until: dateTimeParam('until').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** `newest` lists the latest first (a page of "last deliveries"); cursors follow the same order. */
  order: z.enum(['oldest', 'newest']).default('oldest'),
  cursor: cursorParam.optional(),
});
const resendSchema = z.object({
  since: dateTimeParam('since'),
});

/** Request schemas of these routes, for the OpenAPI document. */
export const deliverySchemas = { list: listSchema, resend: resendSchema };

export function deliveryRoutes(deps: {
  pool: pg.Pool;
  temporal: Client;
  config: Config;
  connectors: ConnectorRegistry;
}): Router {
  const router = Router();
  const { pool } = deps;

  router.get('/deliveries', async (req, res) => {
    const query = parseOrThrow(listSchema, req.query, 'query');
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await listDeliveries(pool, req.tenant.id, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      ...(query.documentId ? { documentId: query.documentId } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      ...(after ? { after } : {}),
      order: query.order,
      limit: query.limit + 1,
    });
    const { page, nextCursor } = pageOf(rows, query.limit);
    res.json({ deliveries: page.map(presentDelivery), nextCursor });
  });

  router.get('/deliveries/:id', async (req, res) => {
    const delivery = await getDelivery(pool, req.tenant.id, idParam(req, 'No such delivery.'));
    if (!delivery) throw new HttpError(404, 'not-found', 'No such delivery.');
    res.json({ delivery: presentDelivery(delivery) });
  });

  /**
   * Re-sends a document whose delivery workflow is not running (delivered, failed, terminated by an
   * operator, timed out, never started): a new run of its workflow, recorded in `runs`.
   */
  router.post('/deliveries/:id/retry', async (req, res) => {
    const delivery = await getDelivery(pool, req.tenant.id, idParam(req, 'No such delivery.'));
    if (!delivery) throw new HttpError(404, 'not-found', 'No such delivery.');
    const state = await deliveryRunState(deps.temporal, delivery);
    if (state === 'running') {
      throw new HttpError(
        409,
        'delivery-in-progress',
        `The delivery is ${delivery.status} and its workflow is running; retry it once it has ended.`,
      );
    }
    // `runs` counts the workflow runs: a first start (none before) adds none. Compared with the value
    // read, so two concurrent retries start one run.
    const retried = await requeueDelivery(pool, req.tenant.id, {
      id: delivery.id,
      runsSeen: delivery.runs,
      newRun: state === 'closed',
    });
    if (!retried) throw new HttpError(409, 'delivery-in-progress', 'The delivery was retried meanwhile.');
    await recordAuditEvent(pool, {
      tenantId: req.tenant.id,
      connectionId: delivery.connectionId,
      kind: 'delivery.retried',
      detail: { deliveryId: delivery.id, previousStatus: delivery.status },
    });
    await startDeliveries(deps, [retried], { rerun: true });
    res.status(202).json({ delivery: presentDelivery(retried) });
  });

  /** Re-sends every document of the connection's type accepted since a date (creating missing deliveries). */
  router.post('/connections/:id/resend', async (req, res) => {
    const connection = await getConnection(pool, req.tenant.id, idParam(req, 'No such connection.'));
    if (!connection) throw new HttpError(404, 'not-found', 'No such connection.');
    if (connection.status !== 'active') {
      throw new HttpError(
        409,
        'connection-not-active',
        `The connection is ${connection.status}; only an active one can receive documents.`,
      );
    }
    const { since } = parseOrThrow(resendSchema, req.query, 'query');
    const documentIds = await documentIdsSince(pool, req.tenant.id, connection.documentType, since);
    const resent: DeliveryRecord[] = [];
    for (const documentId of documentIds) {
      const [delivery] = await ensureDeliveries(pool, {
        tenantId: req.tenant.id,
        documentId,
        connections: [{ id: connection.id, connectorId: connection.connectorId }],
      }).then((all) => all.filter((d) => d.connectionId === connection.id));
      if (delivery) resent.push(delivery);
    }
    // Every delivery whose workflow is not running starts a new run (whatever its status: a run
    // terminated by an operator or timed out stays `queued` or `retrying`); running ones are left alone.
    const states = await Promise.all(resent.map((d) => deliveryRunState(deps.temporal, d)));
    const restart = resent.filter((_, i) => states[i] !== 'running');
    const rerun = resent.filter((_, i) => states[i] === 'closed');
    if (restart.length) {
      await requeueDeliveries(
        pool,
        req.tenant.id,
        restart.map((d) => d.id),
        rerun.map((d) => d.id),
      );
    }
    await startDeliveries(deps, restart, { rerun: true });
    res.status(202).json({
      deliveries: resent.length,
      restarted: rerun.length,
      started: restart.length - rerun.length,
      running: resent.length - restart.length,
    });
  });

  return router;
}
