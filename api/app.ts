import { randomUUID } from 'node:crypto';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../connectors/registry';
import { publicBaseUrl, returnUrlOrigins, type Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { Vault } from '../platform/vault';
import { requireTenant } from './auth';
import { errorHandler, notFound } from './errors';
import { openApiRoutes } from './openapi';
import { connectionRoutes } from './routes/connections';
import { deliveryRoutes } from './routes/deliveries';
import { documentRoutes } from './routes/documents';
import { healthRoutes } from './routes/health';
import { integrationRoutes } from './routes/integrations';
import { oauthRoutes } from './routes/oauth';

export interface ApiDeps {
  config: Config;
  pool: pg.Pool;
  temporal: Client;
  logger: Logger;
  vault: Vault;
  connectors: ConnectorRegistry;
}

export function createApp(deps: ApiDeps): express.Express {
  const { config, pool, temporal } = deps;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  );
  app.use(healthRoutes({ pool, temporal, taskQueue }));
  app.use(openApiRoutes());
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
  // Documents bring their own body parsers and size limit; everything else is small JSON.
  app.use('/v1', documentRoutes({ pool, temporal, config, connectors: deps.connectors }));
  app.use(express.json({ limit: '1mb' }));
  app.use('/v1', deliveryRoutes({ pool, temporal, config, connectors: deps.connectors }));
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
    }),
  );
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
