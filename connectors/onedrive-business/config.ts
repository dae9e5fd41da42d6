import { z } from 'zod';
import { ConnectorError } from '../errors';

/**
 * The environment variables the OneDrive for Business connector reads. Every default points at the
 * real Microsoft services; tests point both URLs at the contract fake. The client id and secret are
 * this Relais's app registration in Microsoft Entra ID; without the id no one can connect.
 */
export const oneDriveConfigSchema = z
  .object({
    // Microsoft identity platform v2; "organizations" admits work and school accounts only, which is
    // what OneDrive for Business is. The client appends /authorize and /token.
    ONEDRIVE_AUTHORITY_URL: z.url().default('https://login.microsoftonline.com/organizations/oauth2/v2.0'),
    ONEDRIVE_GRAPH_URL: z.url().default('https://graph.microsoft.com/v1.0'),
    ONEDRIVE_CLIENT_ID: z.string().default(''),
    ONEDRIVE_CLIENT_SECRET: z.string().default(''),
  })
  .transform((env) => ({
    authorityUrl: withoutTrailingSlash(env.ONEDRIVE_AUTHORITY_URL),
    graphUrl: withoutTrailingSlash(env.ONEDRIVE_GRAPH_URL),
    clientId: env.ONEDRIVE_CLIENT_ID,
    clientSecret: env.ONEDRIVE_CLIENT_SECRET,
  }));

export type OneDriveConfig = z.output<typeof oneDriveConfigSchema>;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function requireClientId(config: OneDriveConfig): string {
  if (!config.clientId) {
    throw new ConnectorError(
      'misconfigured',
      'OneDrive for Business is not configured on this Relais: set ONEDRIVE_CLIENT_ID (and ONEDRIVE_CLIENT_SECRET) ' +
        'to the application (client) ID and a client secret of the Relais app registration in Microsoft Entra ID, ' +
        'then restart.',
    );
  }
  return config.clientId;
}
