import pino, { type Logger } from 'pino';

/** Field names whose values are secrets wherever they appear in a log object. */
export const secretFieldNames = [
  'password',
  'passphrase',
  'privateKey',
  'apiKey',
  'accessKey',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'token',
  'secret',
  'authorization',
  'cookie',
  'code_verifier',
  'codeVerifier',
];

const redactPaths = [
  ...secretFieldNames,
  ...secretFieldNames.map((name) => `*.${name}`),
  ...secretFieldNames.map((name) => `*.*.${name}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export type { Logger };

/**
 * A request URL as logs may show it: the query's parameter names with their values redacted (an OAuth
 * callback's `code` and `state` are secrets; no query value is worth the risk), and the OAuth start
 * link's state, which is in its path, redacted too.
 */
export function urlForLog(url: string | undefined): string {
  if (!url) return '';
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at)).replace(/(\/oauth\/start\/)[^/]+/, '$1[redacted]');
  if (at < 0) return path;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=[redacted]`);
  return `${path}?${names.join('&')}`;
}

/** A structured logger with secrets redacted; `destination` defaults to stdout (tests capture lines). */
export function createLogger(options: {
  level: string;
  name?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    options.destination,
  );
}
