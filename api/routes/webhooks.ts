import { Router, type Request } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import { ConnectorError } from '../../connectors/errors';
import { assertPublicUrl, type NetworkPolicy } from '../../connectors/shared/network-guard';
import {
  countWebhookEndpoints,
  createWebhookEndpoint,
  createWebhookResend,
  deleteWebhookEndpoint,
  getWebhookDelivery,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  type WebhookDeliveryRecord,
  type WebhookDeliveryRef,
  type WebhookEndpointRecord,
} from '../../db/webhooks';
import { uuidSchema } from '../../platform/ids';
import type { Vault } from '../../platform/vault';
import { webhookEventTypeSchema } from '../../webhooks/events';
import { newWebhookSecret } from '../../webhooks/secret';
import { HttpError, parseOrThrow } from '../errors';
import { idParam } from '../id-param';
import { cursorParam, decodeCursor, pageOf } from '../keyset-cursor';

/** Endpoints one tenant may register: each event is sent to every subscribed one. */
export const maxWebhooksPerTenant = 20;

const createSchema = z.object({
  url: z.string().max(2048).pipe(z.url()),
  eventTypes: z
    .array(webhookEventTypeSchema)
    .min(1)
    .refine((types) => new Set(types).size === types.length, 'Each event type once'),
  description: z.string().max(500).optional(),
});
const deliveryListSchema = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `nextCursor` of the previous page: the deliveries older than its last one. */
  cursor: cursorParam.optional(),
});

/** Request schemas of these routes, for the OpenAPI document. */
export const webhookSchemas = { create: createSchema, deliveries: deliveryListSchema };

const presentEndpoint = (endpoint: WebhookEndpointRecord) => ({
  id: endpoint.id,
  url: endpoint.url,
  eventTypes: endpoint.eventTypes,
  description: endpoint.description,
  createdAt: endpoint.createdAt,
});

const presentDelivery = (delivery: WebhookDeliveryRecord) => ({
  id: delivery.id,
  webhookId: delivery.endpointId,
  status: delivery.status,
  event: delivery.event,
  attempts: delivery.attempts,
  lastStatusCode: delivery.lastStatusCode,
  lastError: delivery.lastError,
  nextAttemptAt: delivery.nextAttemptAt,
  resendOf: delivery.resendOf,
  createdAt: delivery.createdAt,
  updatedAt: delivery.updatedAt,
  deliveredAt: delivery.deliveredAt,
});

/**
 * The URL as the SSRF guard sees it at registration (https, a public address unless allow-listed): a
 * refusal is a 400 naming `url`. The guard checks again at every send (DNS may change meanwhile).
 */
async function checkedUrl(url: string, policy: NetworkPolicy): Promise<void> {
  try {
    await assertPublicUrl(url, policy);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message =
      error instanceof ConnectorError
        ? error.message
        : `The host of this address cannot be resolved${code ? ` (${code})` : ''}; check the address.`;
    throw new HttpError(400, 'invalid-request', `Invalid body: url: ${message}`, [{ path: 'url', message }]);
  }
}

export function webhookRoutes(deps: {
  pool: pg.Pool;
  vault: Vault;
  policy: NetworkPolicy;
  /** Starts webhook deliveries once stored; never fails (the reconciler starts what it could not). */
  startWebhooks: (deliveries: WebhookDeliveryRef[]) => Promise<void>;
}): Router {
  const router = Router();
  const { pool } = deps;

  async function loadEndpoint(req: Request): Promise<WebhookEndpointRecord> {
    const endpoint = await getWebhookEndpoint(pool, req.tenant.id, idParam(req, 'No such webhook.'));
    if (!endpoint) throw new HttpError(404, 'not-found', 'No such webhook.');
    return endpoint;
  }

  /** Registers an endpoint; its signing secret is in this answer only (stored encrypted, never shown again). */
  router.post('/webhooks', async (req, res) => {
    const input = parseOrThrow(createSchema, req.body, 'body');
    await checkedUrl(input.url, deps.policy);
    if ((await countWebhookEndpoints(pool, req.tenant.id)) >= maxWebhooksPerTenant) {
      throw new HttpError(
        409,
        'too-many-webhooks',
        `A tenant may register ${maxWebhooksPerTenant} webhooks; delete one first.`,
      );
    }
    const secret = newWebhookSecret();
    const endpoint = await createWebhookEndpoint(pool, deps.vault, {
      tenantId: req.tenant.id,
      url: input.url,
      eventTypes: input.eventTypes,
      ...(input.description === undefined ? {} : { description: input.description }),
      secret,
    });
    res.status(201).json({ webhook: presentEndpoint(endpoint), secret });
  });

  router.get('/webhooks', async (req, res) => {
    const endpoints = await listWebhookEndpoints(pool, req.tenant.id);
    res.json({ webhooks: endpoints.map(presentEndpoint) });
  });

  router.get('/webhooks/:id', async (req, res) => {
    res.json({ webhook: presentEndpoint(await loadEndpoint(req)) });
  });

  router.delete('/webhooks/:id', async (req, res) => {
    const deleted = await deleteWebhookEndpoint(pool, req.tenant.id, idParam(req, 'No such webhook.'));
    if (!deleted) throw new HttpError(404, 'not-found', 'No such webhook.');
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const endpoint = await loadEndpoint(req);
    const query = parseOrThrow(deliveryListSchema, req.query, 'query');
    const rows = await listWebhookDeliveries(pool, req.tenant.id, endpoint.id, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit + 1,
    });
    const { page, nextCursor } = pageOf(rows, query.limit);
    res.json({ deliveries: page.map(presentDelivery), nextCursor });
  });

  /** Sends an event again to the endpoint: a new delivery (its own attempts), the same webhook-id. */
  router.post('/webhooks/:id/deliveries/:deliveryId/resend', async (req, res) => {
    const endpoint = await loadEndpoint(req);
    const deliveryId = uuidSchema.safeParse(req.params.deliveryId);
    const original =
      deliveryId.success && (await getWebhookDelivery(pool, req.tenant.id, endpoint.id, deliveryId.data));
    if (!original) throw new HttpError(404, 'not-found', 'No such webhook delivery.');
    if (original.status === 'pending') {
      throw new HttpError(
        409,
        'webhook-delivery-pending',
        'This delivery is still being attempted; resend it once it has been delivered or has failed.',
      );
    }
    const resend = await createWebhookResend(pool, req.tenant.id, {
      id: original.id,
      endpointId: endpoint.id,
      eventId: original.event.id,
    });
    await deps.startWebhooks([resend]);
    const created = await getWebhookDelivery(pool, req.tenant.id, endpoint.id, resend.id);
    res.status(202).json({ delivery: presentDelivery(created!) });
  });

  return router;
}
