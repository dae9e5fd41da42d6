import path from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import express, { type Response } from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { ConnectorRegistry } from '../connectors/registry';
import { userUrlPolicy } from '../connectors/shared/user-url-network';
import type { WebhookDeliveryRef } from '../db/webhooks';
import {
  codecCorsOrigins,
  projectRoot,
  publicBaseUrl,
  returnUrlOrigins,
  type Config,
} from '../platform/config';
import type { Logger } from '../platform/logger';
import { createMetrics } from '../platform/metrics';
import type { Vault } from '../platform/vault';
import { startWebhookDeliveries } from '../webhooks/start';
import { requireTenant } from './auth';
import { errorHandler, notFound } from './errors';
import { jsonBodiesOnly } from './json-bodies';
import { openApiRoutes } from './openapi';
import { rateLimitPerTenant } from './rate-limit';
import { requestLogger } from './request-log';
import { traceRequests } from './trace-requests';
import { codecRoutes } from './routes/codec';
import { connectionRoutes } from './routes/connections';
import { deliveryRoutes } from './routes/deliveries';
import { deliveryHistoryRoutes } from './routes/delivery-history';
import { documentRoutes } from './routes/documents';
import { healthRoutes } from './routes/health';
import { integrationRoutes } from './routes/integrations';
import { metricsRoutes } from './routes/metrics';
import { oauthRoutes } from './routes/oauth';
import { webhookRoutes } from './routes/webhooks';

export interface ApiDeps {
  config: Config;
  pool: pg.Pool;
  temporal: Client;
  logger: Logger;
  vault: Vault;
  /** The workers' payload codec, served to operators at /codec. */
  payloadCodec: PayloadCodec;
  connectors: ConnectorRegistry;
  /** Tracing's tracer when it is on (platform/tracing.ts): a server span per request. */
  tracer?: Tracer;
}

export function createApp(deps: ApiDeps): express.Express {
  const { config, pool, temporal } = deps;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(deps.logger));
  if (deps.tracer) app.use(traceRequests(deps.tracer));
  // Webhook deliveries a request stored start after its commit; one that cannot start now (Temporal
  // down) is left to the reconciler, which starts it within about two minutes.
  const startWebhooks = async (deliveries: WebhookDeliveryRef[]) => {
    if (deliveries.length === 0) return;
    await startWebhookDeliveries({ temporal, config }, deliveries).catch((error: unknown) =>
      deps.logger.warn(
        { err: error, webhookDeliveryIds: deliveries.map((d) => d.id) },
        'webhooks not started',
      ),
    );
  };
  const metrics = createMetrics(pool);
  app.use(metrics.httpRequests);
  app.use(healthRoutes({ pool, temporal, taskQueue }));
  app.use(metricsRoutes({ registry: metrics.registry, operatorToken: config.RELAIS_OPERATOR_TOKEN }));
  app.use(openApiRoutes());
  // Operators' codec for the Temporal UI and CLI: its own authentication (operator token), not a tenant's.
  app.use(
    '/codec',
    codecRoutes({
      codec: deps.payloadCodec,
      operatorToken: config.RELAIS_OPERATOR_TOKEN,
      corsOrigins: codecCorsOrigins(config),
      secureCookies: publicBaseUrl(config).startsWith('https:'),
    }),
  );
  // The browser legs of OAuth carry no API key: the state and its cookie identify the setup.
  app.use(
    '/v1',
    oauthRoutes({
      pool,
      vault: deps.vault,
      temporal,
      secureCookies: publicBaseUrl(config).startsWith('https:'),
    }),
  );
  app.use('/v1', requireTenant(pool));
  app.use(
    '/v1',
    rateLimitPerTenant({
      perMinute: config.RELAIS_RATE_LIMIT_PER_MINUTE,
      burst: config.RELAIS_RATE_LIMIT_BURST,
    }),
  );
  // Documents bring their own body parsers and size limit; everything else is small JSON.
  app.use(
    '/v1',
    documentRoutes({ pool, temporal, config, connectors: deps.connectors, registry: metrics.registry }),
  );
  app.use(express.json({ limit: '1mb' }), jsonBodiesOnly);
  app.use('/v1', deliveryRoutes({ pool, temporal, config, connectors: deps.connectors }));
  app.use('/v1', deliveryHistoryRoutes({ pool }));
  app.use('/v1', integrationRoutes({ connectors: deps.connectors, outboundIps: config.RELAIS_OUTBOUND_IPS }));
  app.use(
    '/v1',
    connectionRoutes({
      pool,
      vault: deps.vault,
      temporal,
      taskQueue,
      connectors: deps.connectors,
      returnUrlOrigins: returnUrlOrigins(config),
      setupExpiryMs: config.SETUP_EXPIRY_MINUTES * 60_000,
      oauthWaitMs: config.OAUTH_WAIT_MINUTES * 60_000,
      maxOpenSetups: config.RELAIS_MAX_OPEN_SETUPS,
      startWebhooks,
      countSetupStep: metrics.countSetupStep,
    }),
  );
  app.use('/v1', webhookRoutes({ pool, vault: deps.vault, policy: userUrlPolicy(config), startWebhooks }));
  app.use(express.static(path.join(projectRoot, 'web'), { setHeaders: webAppHeaders }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/**
 * The reference web app (web/) loads nothing from elsewhere and runs no inline code: a strict policy
 * makes an injected script or style inert. `no-cache`: small files, revalidated by ETag, never stale.
 */
const webAppPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function webAppHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', webAppPolicy);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}
