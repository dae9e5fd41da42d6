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
