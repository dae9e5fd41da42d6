import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { urlForLog, type Logger } from '../platform/logger';

/**
 * The level of a request's log line: failures at error (5xx) or warn (4xx other than a GET's), reads
 * (`GET`/`HEAD`: polling) and health checks at debug, changes at info. At the default level, the log
 * shows what was done, not every poll.
 */
export function requestLogLevel(
  req: IncomingMessage,
  res: ServerResponse,
  error?: Error,
): 'error' | 'warn' | 'info' | 'debug' {
  if (error || res.statusCode >= 500) return 'error';
  const path = (req.url ?? '').split('?')[0];
  if (path === '/healthz' || req.method === 'GET' || req.method === 'HEAD') return 'debug';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

/** One log line per request, with its id (X-Request-Id, given or made up), its level by requestLogLevel. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: requestLogLevel,
    // The URL without its query values (no parsed query or params: they would carry them again), and
    // no headers: a redirect's Location carries the OAuth state, and the rest is noise.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: urlForLog(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
