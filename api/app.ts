import { randomUUID } from 'node:crypto';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { Logger } from '../platform/logger';
import { errorHandler, notFound } from './errors';
import { healthRoutes } from './routes/health';

export interface ApiDeps {
  pool: pg.Pool;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
}

export function createApp(deps: ApiDeps): express.Express {
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
  app.use(express.json({ limit: '1mb' }));
  app.use(healthRoutes(deps));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
