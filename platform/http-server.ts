import type { ServerOptions } from 'node:http';
import type { Config } from './config';

/**
 * Bounds how long a client may take to send a whole request (headers included): Node checks pending
 * requests every `connectionsCheckingInterval` (30 s by default, longer than a short timeout), so the
 * check runs ten times per timeout, at most every 30 s.
 */
export function httpServerOptions(config: Config): ServerOptions {
  const timeoutMs = config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  return {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, timeoutMs / 10)),
  };
}
