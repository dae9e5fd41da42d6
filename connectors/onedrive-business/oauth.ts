import { ConnectorError } from '../errors';
import { defineOAuthProvider } from '../shared/oauth/engine';
import type { Account, Settings } from '../types';
import { requireClientId, type OneDriveConfig } from './config';
import { descriptor } from './descriptor';
import { driveUrl, scopesFor, sharedLibraryOf } from './drive';
import { classifyGraphError, graphFetch, readGraphError } from './graph-errors';

/**
 * The Microsoft identity platform (v2 endpoints, tenant `organizations`: work and school accounts
 * only) on the shared engine: authorization code with PKCE S256, the secret sent when configured (a
 * public client relies on PKCE alone) [doc], scopes by drive choice, sent on the token requests too,
 * and refresh tokens that rotate (each answer carries a new one, which replaces the old) [doc].
 */
export function createOneDriveOAuth(config: OneDriveConfig) {
  return defineOAuthProvider({
    descriptor,
    name: 'OneDrive',
    authorizeUrl: () => `${config.authorityUrl}/authorize`,
    tokenUrl: () => `${config.authorityUrl}/token`,
    client: () => ({
      clientId: requireClientId(config),
      ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
    }),
    clientAuth: 'client_secret_post',
    clientVariables:
      'ONEDRIVE_CLIENT_ID and ONEDRIVE_CLIENT_SECRET (the Relais app registration in Microsoft Entra ID)',
    // The code comes back in the query string, as our callback reads it.
    extraAuthorizeParams: { response_mode: 'query' },
    scopes: scopesFor,
    scopeOnTokenRequests: true,
    rotation: 'rotating',
    // Token errors are `{"error", "error_description": "AADSTSnnnn: ...", "error_codes": [nnnn], ...}`.
    // Any other invalid_grant (and any unrecognised refusal of a refresh) also means signing in again.
    reauthErrors: [
      {
        error: 'invalid_grant',
        description: /AADSTS700082\b/,
        meaning: 'the sign-in expired after a long time without use',
      },
      {
        error: 'invalid_grant',
        description: /AADSTS50173\b/,
        meaning: 'the sign-in was revoked, for instance after a password change',
      },
      {
        error: 'invalid_grant',
        description: /AADSTS70043\b/,
        meaning: "the organization's sign-in frequency policy requires signing in again",
      },
    ],
    account: ({ accessToken, settings }) => signedInAccount(config, accessToken, settings),
  });
}

/**
 * Who signed in: `GET /me/drive` → `owner.user` (needs only Files.ReadWrite, and proves the account has
 * a OneDrive for Business). With a shared library, that library must open with the new token, so a
 * wrong drive id fails the sign-in step rather than every delivery.
 */
async function signedInAccount(
  config: OneDriveConfig,
  accessToken: string,
  settings: Settings,
): Promise<Account> {
  const headers = { Authorization: `Bearer ${accessToken}` };
  const action = 'tell which OneDrive signed in';
  const response = await graphFetch(`${config.graphUrl}/me/drive`, { headers }, action);
  if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
  const drive = (await response.json()) as {
    id?: string;
    driveType?: string;
    owner?: { user?: { id?: string; displayName?: string; email?: string } };
  };
  if (drive.driveType !== undefined && drive.driveType !== 'business') {
    throw new ConnectorError(
      'invalid-credentials',
      `This account's OneDrive is a ${drive.driveType} OneDrive. Sign in with a work or school account (OneDrive for Business).`,
    );
  }
  const library = sharedLibraryOf(settings);
  if (library) {
    const opened = await graphFetch(
      driveUrl(config.graphUrl, settings),
      { headers },
      'open the shared library',
    );
    if (opened.status === 403 || opened.status === 404) {
      const error = await readGraphError(opened);
      throw new ConnectorError(
        'invalid-credentials',
        `This account cannot open the shared library with drive ID ${library} (${error.code ?? `HTTP ${error.status}`}). ` +
          'Check the drive ID, or sign in with an account that may write to that library.',
        { status: error.status },
      );
    }
    if (!opened.ok) throw classifyGraphError(await readGraphError(opened), 'open the shared library');
    await opened.body?.cancel();
  }
  const user = drive.owner?.user;
  const name = user?.displayName ?? 'OneDrive';
  return { id: user?.id ?? drive.id ?? 'unknown', name: user?.email ? `${name} (${user.email})` : name };
}
