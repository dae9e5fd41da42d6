import { z } from 'zod';
import { ConnectorError } from '../errors';

/**
 * The environment variables the Dropbox connector reads. Every default points at the real Dropbox;
 * tests point the three URLs at the contract fake. The client id and secret are the app key and app
 * secret of this Relais's app in the Dropbox App Console; without them no one can connect.
 */
export const dropboxConfigSchema = z
  .object({
    DROPBOX_API_URL: z.url().default('https://api.dropboxapi.com'),
    DROPBOX_CONTENT_URL: z.url().default('https://content.dropboxapi.com'),
    DROPBOX_AUTHORIZE_URL: z.url().default('https://www.dropbox.com/oauth2/authorize'),
    DROPBOX_CLIENT_ID: z.string().default(''),
    DROPBOX_CLIENT_SECRET: z.string().default(''),
  })
  .transform((env) => ({
    apiUrl: withoutTrailingSlash(env.DROPBOX_API_URL),
    contentUrl: withoutTrailingSlash(env.DROPBOX_CONTENT_URL),
    authorizeUrl: env.DROPBOX_AUTHORIZE_URL,
    clientId: env.DROPBOX_CLIENT_ID,
    clientSecret: env.DROPBOX_CLIENT_SECRET,
  }));

export type DropboxConfig = z.output<typeof dropboxConfigSchema>;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The app key is needed by every OAuth call; the secret is optional because PKCE stands in for it. */
export function requireClientId(config: DropboxConfig): string {
  if (!config.clientId) {
    throw new ConnectorError(
      'misconfigured',
      'Dropbox is not configured on this Relais: set DROPBOX_CLIENT_ID (and DROPBOX_CLIENT_SECRET) to the app key ' +
        'and app secret of the Relais app in the Dropbox App Console, then restart.',
    );
  }
  return config.clientId;
}
