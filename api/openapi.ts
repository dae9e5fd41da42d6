import { Router } from 'express';
import { z } from 'zod';
import { relaisVersion } from '../platform/version';
import { connectionSchemas } from './routes/connections';
import { deliverySchemas } from './routes/deliveries';
import { deliveryHistorySchemas } from './routes/delivery-history';
import { documentSchemas } from './routes/documents';
import { integrationSchemas } from './routes/integrations';
import { webhookSchemas } from './routes/webhooks';
import { stepBodySchemas } from './step-input';

interface Operation {
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyType?: string;
  responses: Record<string, string>;
}

const errors = {
  '400': 'Invalid input: `details` names each field',
  '401': 'Missing or unknown API key',
  '404': 'Not found (or another tenant’s)',
  '429': 'Over the tenant’s request rate: retry after Retry-After seconds',
};
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const connectorId = { name: 'connectorId', in: 'path', required: true, schema: { type: 'string' } };
const deliveryId = {
  name: 'deliveryId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

/** The routes, their zod schemas (the same ones the handlers validate with) and their answers. */
const operations: Record<string, Record<string, Operation>> = {
  '/v1/integrations': {
    get: {
      summary: 'The connector catalogue, in one language',
      query: integrationSchemas.query,
      responses: { '200': 'Catalogue', ...errors },
    },
  },
  '/v1/integrations/{connectorId}': {
    get: {
      summary: 'One connector of the catalogue (its fields, steps, formats), in one language',
      query: integrationSchemas.query,
      responses: { '200': 'Integration', ...errors },
    },
  },
  '/v1/connections': {
    get: {
      summary: "The tenant's connections",
      query: connectionSchemas.list,
      responses: { '200': 'Connections', ...errors },
    },
    post: {
      summary: 'Create a connection and start its setup (returns the first step)',
      body: connectionSchemas.create,
      responses: {
        '201': 'Connection with its setup state',
        '422': 'Connector not available yet',
        ...errors,
        '429': 'Too many requests, or too many connections in setup at once',
      },
    },
  },
  '/v1/connections/{id}': {
    get: {
      summary: 'A connection and, while it runs, its setup',
      responses: { '200': 'Connection', ...errors },
    },
  },
  ...Object.fromEntries(
    Object.entries(stepBodySchemas).map(([step, schema]) => [
      `/v1/connections/{id}/steps/${step}`,
      {
        post: {
          summary: `Answer the ${step} step`,
          body: schema,
          responses: {
            '200': 'Connection',
            '409': 'Not the current step',
            '422': 'The target refused',
            ...errors,
          },
        },
      },
    ]),
  ),
  '/v1/connections/{id}/cancel': {
    post: { summary: 'Cancel the running setup', responses: { '200': 'Connection', ...errors } },
  },
  '/v1/connections/{id}/reauthorize': {
    post: {
      summary: 'Sign in again, keeping the connection id',
      responses: { '200': 'Connection', '409': 'Not re-authorizable', ...errors },
    },
  },
  '/v1/connections/{id}/disconnect': {
    post: { summary: 'Stop delivering to this connection', responses: { '200': 'Connection', ...errors } },
  },
  '/v1/connections/{id}/resend': {
    post: {
      summary: 'Re-send the documents accepted since a date',
      query: deliverySchemas.resend,
      responses: { '202': 'Counts: deliveries, restarted, started, running', ...errors },
    },
  },
  '/v1/documents': {
    post: {
      summary:
        'Hand over a UBL invoice or credit note for delivery (XML body with ?documentType=, or this JSON)',
      body: documentSchemas.json,
      responses: {
        '202': 'Document id and deliveries',
        '409': 'Idempotency-Key, or the invoice (supplier + kind + number), accepted with other bytes',
        '413': 'Too large',
        '415': 'Unsupported content type',
        ...errors,
      },
    },
  },
  '/v1/deliveries': {
    get: {
      summary: 'Deliveries, filtered and paginated',
      query: deliverySchemas.list,
      responses: { '200': 'Deliveries and nextCursor', ...errors },
    },
  },
  '/v1/deliveries/{id}': { get: { summary: 'One delivery', responses: { '200': 'Delivery', ...errors } } },
  '/v1/deliveries/{id}/timeline': {
    get: {
      summary:
        'What the delivery went through: accepted, each attempt (outcome, code, the target’s words), parked, resumed, delivered with its receipt, failed',
      responses: { '200': 'Delivery and events', ...errors },
    },
  },
  '/v1/connections/{id}/stats': {
    get: {
      summary: 'The connection’s deliveries per day (UTC) of the last days: delivered, failed, waiting',
      query: deliveryHistorySchemas.stats,
      responses: { '200': 'connectionId and days', ...errors },
    },
  },
  '/v1/deliveries/{id}/retry': {
    post: {
      summary: 'Re-send a document whose delivery workflow is not running',
      responses: { '202': 'Delivery', '409': 'Its workflow is running', ...errors },
    },
  },
  '/v1/webhooks': {
    get: { summary: "The tenant's webhook endpoints", responses: { '200': 'Webhooks', ...errors } },
    post: {
      summary: 'Register an endpoint for events; the answer holds its signing secret, shown this once',
      body: webhookSchemas.create,
      responses: {
        '201': 'Webhook and secret',
        '409': 'Too many webhooks',
        ...errors,
        '400': 'Invalid input (`details` names each field), or a URL the SSRF guard refuses',
      },
    },
  },
  '/v1/webhooks/{id}': {
    get: { summary: 'One webhook endpoint', responses: { '200': 'Webhook', ...errors } },
    delete: {
      summary: 'Delete an endpoint: no new events; what was still to be sent to it fails',
      responses: { '204': 'Deleted', ...errors },
    },
  },
  '/v1/webhooks/{id}/deliveries': {
    get: {
      summary: 'The events sent (or being sent) to an endpoint, newest first, with every attempt',
      query: webhookSchemas.deliveries,
      responses: { '200': 'Deliveries', ...errors },
    },
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}/resend': {
    post: {
      summary: 'Send an event to the endpoint again (a new delivery, the same webhook-id)',
      responses: { '202': 'The new delivery', '409': 'The delivery is still being attempted', ...errors },
    },
  },
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function openApiDocument() {
  const paths: Record<string, unknown> = {};
  for (const [path, methods] of Object.entries(operations)) {
    paths[path] = Object.fromEntries(
      Object.entries(methods).map(([method, operation]) => {
        const query = operation.query
          ? Object.entries(operation.query.shape).map(([name, schema]) => ({
              name,
              in: 'query',
              required: !(schema as z.ZodType).safeParse(undefined).success,
              schema: jsonSchema(schema as z.ZodType),
            }))
          : [];
        return [
          method,
          {
            summary: operation.summary,
            security: [{ bearer: [] }],
            parameters: [
              ...(path.includes('{id}') ? [id] : []),
              ...(path.includes('{connectorId}') ? [connectorId] : []),
              ...(path.includes('{deliveryId}') ? [deliveryId] : []),
              ...query,
            ],
            ...(operation.body
              ? {
                  requestBody: {
                    required: true,
                    content: { 'application/json': { schema: jsonSchema(operation.body) } },
                  },
                }
              : {}),
            responses: Object.fromEntries(
              Object.entries(operation.responses).map(([status, description]) => [status, { description }]),
            ),
          },
        ];
      }),
    );
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Relais API', version: relaisVersion },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

/** `GET /v1/openapi.json`: generated from the same zod schemas the handlers validate with; public. */
export function openApiRoutes(): Router {
  const document = openApiDocument();
  const router = Router();
  router.get('/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
