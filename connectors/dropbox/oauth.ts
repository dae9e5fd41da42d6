import { defineOAuthProvider } from '../shared/oauth/engine';
import type { Account } from '../types';
import { requireClientId, type DropboxConfig } from './config';
import { dropboxDescriptor } from './descriptor';
import { classifyApiError, createDropboxClient } from './transport';

/**
 * Dropbox's OAuth 2 authorization code flow with PKCE, on the shared engine. The app secret is sent
 * when configured (client_secret_post); without it Dropbox takes PKCE alone. Refresh tokens do not
 * rotate: a refresh answer carries none and the old one stays valid.
 */
export function createDropboxOAuth(config: DropboxConfig) {
  return defineOAuthProvider({
    descriptor: dropboxDescriptor,
    name: 'Dropbox',
    authorizeUrl: () => config.authorizeUrl,
    tokenUrl: () => `${config.apiUrl}/oauth2/token`,
    client: () => ({
      clientId: requireClientId(config),
      ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
    }),
    clientAuth: 'client_secret_post',
    clientVariables: 'DROPBOX_CLIENT_ID and DROPBOX_CLIENT_SECRET',
    // Offline access is what yields a refresh token; without it the connection would die after four hours.
    extraAuthorizeParams: { token_access_type: 'offline' },
    rotation: 'kept',

    // The SDK makes the API call (users/get_current_account) with the new access token.
    async account({ accessToken }): Promise<Account> {
      try {
        const { result } = await createDropboxClient(config, accessToken).usersGetCurrentAccount();
        const name = result.name.display_name;
        return { id: result.account_id, name: result.email ? `${name} (${result.email})` : name };
      } catch (error) {
        throw classifyApiError(error, 'tell which account signed in');
      }
    },
  });
}
