import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { Credentials, Settings } from '../types';
import { defaultSiteUrls, exactSites, type ExactSite } from './descriptor';

const siteUrlOverrides = z.partialRecord(z.enum(exactSites), z.url());

/**
 * The environment variables the Exact Online connector reads. The client id and secret are those of
 * this Relais's app in the Exact App Center; EXACT_SITE_URLS replaces the base URL of some country
 * sites (tests point `be` at the contract fake), the others keep Exact's real addresses.
 */
export const exactConfigSchema = z
  .object({
    EXACT_CLIENT_ID: z.string().default(''),
    EXACT_CLIENT_SECRET: z.string().default(''),
    EXACT_SITE_URLS: z
      .string()
      .optional()
      .transform((text, context) => {
        if (!text) return {};
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          context.addIssue({
            code: 'custom',
            message: 'must be a JSON object such as {"be": "https://..."}',
          });
          return z.NEVER;
        }
        const parsed = siteUrlOverrides.safeParse(json);
        if (!parsed.success) {
          context.addIssue({
            code: 'custom',
            message: `site codes are ${exactSites.join(', ')}, values URLs`,
          });
          return z.NEVER;
        }
        return parsed.data;
      }),
  })
  .transform((env) => ({
    clientId: env.EXACT_CLIENT_ID,
    clientSecret: env.EXACT_CLIENT_SECRET,
    siteUrls: Object.fromEntries(
      exactSites.map((site) => [
        site,
        (env.EXACT_SITE_URLS[site] ?? defaultSiteUrls[site]).replace(/\/+$/, ''),
      ]),
    ) as Record<ExactSite, string>,
  }));

export type ExactConfig = z.output<typeof exactConfigSchema>;

/** Every OAuth call needs our app's identity at Exact; without it nobody can connect. */
export function requireAppCredentials(config: ExactConfig): { clientId: string; clientSecret: string } {
  if (!config.clientId || !config.clientSecret) {
    throw new ConnectorError(
      'misconfigured',
      'Exact Online is not configured on this Relais: set EXACT_CLIENT_ID and EXACT_CLIENT_SECRET to the ' +
        'client id and secret of the Relais app in the Exact App Center, then restart.',
    );
  }
  return { clientId: config.clientId, clientSecret: config.clientSecret };
}

const connectionSettings = z.object({
  site: z.enum(exactSites).default('be'),
  administrationIds: z.union([z.literal('all'), z.array(z.string().regex(/^\d+$/)).min(1)]).optional(),
  currentDivision: z.number().int().positive().optional(),
  companyCode: z.string().trim().optional(),
});

export type ExactSettings = z.output<typeof connectionSettings>;

export function readSettings(settings: Settings): ExactSettings {
  const parsed = connectionSettings.safeParse(settings);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConnectorError(
      'misconfigured',
      `The Exact Online connection has invalid settings (${fields}). Set the connection up again.`,
    );
  }
  return parsed.data;
}

export function siteUrl(config: ExactConfig, settings: ExactSettings): string {
  return config.siteUrls[settings.site];
}

/** Exact authorizations are always OAuth tokens; anything else means the connection was set up wrongly. */
export function accessTokenOf(credentials: Credentials): string {
  if (credentials.kind !== 'tokens') {
    throw new ConnectorError(
      'misconfigured',
      'The Exact Online connection has no sign-in. Sign in to Exact Online again.',
    );
  }
  return credentials.tokens.accessToken;
}
