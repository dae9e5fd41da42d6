import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { Credentials, Settings } from '../types';
import { yukiCountries, type YukiCountry } from './descriptor';

/**
 * The environment variables the Yuki connector reads: the base URL of the SOAP web services per
 * country host (the services are `{url}/{Service}.asmx`), each defaulting to Yuki's real host, so
 * tests point them at the contract fake.
 */
export const yukiConfigSchema = z
  .object({
    YUKI_BE_API_URL: z.url().default('https://api.yukiworks.be/ws'),
    YUKI_NL_API_URL: z.url().default('https://api.yukiworks.nl/ws'),
    YUKI_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  })
  .transform((env) => ({
    baseUrls: {
      be: env.YUKI_BE_API_URL.replace(/\/+$/, ''),
      nl: env.YUKI_NL_API_URL.replace(/\/+$/, ''),
    } satisfies Record<YukiCountry, string>,
    timeoutMs: env.YUKI_TIMEOUT_MS,
  }));

export type YukiConfig = z.output<typeof yukiConfigSchema>;

const connectionSettings = z.object({
  country: z.enum(yukiCountries).default('be'),
  // One administration per connection (the descriptor's administration block says `multiple: false`).
  administrationIds: z.array(z.string().min(1)).length(1).optional(),
});

export type YukiSettings = z.output<typeof connectionSettings>;

export function readSettings(settings: Settings): YukiSettings {
  const parsed = connectionSettings.safeParse(settings);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConnectorError(
      'misconfigured',
      `The Yuki connection has invalid settings (${fields}). Set the connection up again and choose one administration.`,
    );
  }
  return parsed.data;
}

/** The Yuki API key of a connection; anything else means the connection was set up wrongly. */
export function apiKeyOf(credentials: Credentials): string {
  const apiKey = credentials.kind === 'secrets' ? credentials.secrets.apiKey : undefined;
  if (!apiKey) {
    throw new ConnectorError(
      'auth-expired',
      'The Yuki connection has no API key. Enter the Yuki API key again to reconnect.',
    );
  }
  return apiKey;
}
