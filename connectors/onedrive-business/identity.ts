/**
 * The Microsoft identity platform (v2 endpoints, tenant `organizations`) as this connector uses it,
 * declared as data so a shared OAuth engine can take it over unchanged. [doc] facts are cited in README.
 */
export const microsoftIdentity = {
  /** Appended to ONEDRIVE_AUTHORITY_URL (…/organizations/oauth2/v2.0). */
  authorizePath: '/authorize',
  tokenPath: '/token',
  /** offline_access is what yields a refresh token [doc]. */
  scopes: ['Files.ReadWrite', 'offline_access'],
  pkce: 'S256',
  /** The code comes back in the query string, as our callback reads it. */
  authorizeParameters: { response_mode: 'query' },
  /** A refresh answer carries a new refresh token; the new one replaces the old [doc]. */
  rotatesRefreshTokens: true,
  /**
   * `invalid_grant` answers to a refresh whose AADSTS code means the user must sign in again [doc]:
   * 700082 refresh token expired by inactivity, 50173 grant revoked (password changed or reset),
   * 70043 sign-in frequency (Conditional Access) requires a new sign-in.
   */
  reauthCodes: { AADSTS700082: 'inactive', AADSTS50173: 'revoked', AADSTS70043: 'sign-in frequency' },
} as const;
