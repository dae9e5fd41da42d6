import { Router } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import { getConnection } from '../../db/connections';
import { getDelivery } from '../../db/deliveries';
import { dailyDeliveryCounts, deliveryEvents } from '../../db/delivery-events';
import { HttpError, parseOrThrow } from '../errors';
import { idParam } from '../id-param';
import { presentDelivery } from './documents';

const statsSchema = z.object({
  /** Days back from today (UTC), today included. */
  days: z.coerce.number().int().min(1).max(31).default(7),
});

/** Request schemas of these routes, for the OpenAPI document. */
export const deliveryHistorySchemas = { stats: statsSchema };

/**
 * What happened to deliveries: one delivery's timeline (accepted, each attempt with its outcome and the
 * target's words, parked, resumed, delivered with its receipt, failed) and a connection's deliveries per
 * day. Codes, not sentences: the reader translates them (the web app in fr/nl/en).
 */
export function deliveryHistoryRoutes(deps: { pool: pg.Pool }): Router {
  const router = Router();
  const { pool } = deps;

  router.get('/deliveries/:id/timeline', async (req, res) => {
    const delivery = await getDelivery(pool, req.tenant.id, idParam(req, 'No such delivery.'));
    if (!delivery) throw new HttpError(404, 'not-found', 'No such delivery.');
    const events = await deliveryEvents(pool, req.tenant.id, delivery.id);
    const accepted = {
      type: 'accepted',
      outcome: null,
      attempt: null,
      run: 1,
      code: null,
      targetMessage: null,
      receipt: null,
      nextAttemptAt: null,
      at: delivery.createdAt,
    };
    res.json({ delivery: presentDelivery(delivery), events: [accepted, ...events] });
  });

  router.get('/connections/:id/stats', async (req, res) => {
    const connection = await getConnection(pool, req.tenant.id, idParam(req, 'No such connection.'));
    if (!connection) throw new HttpError(404, 'not-found', 'No such connection.');
    const { days } = parseOrThrow(statsSchema, req.query, 'query');
    res.json({
      connectionId: connection.id,
      days: await dailyDeliveryCounts(pool, req.tenant.id, connection.id, days),
    });
  });

  return router;
}
