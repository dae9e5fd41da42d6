import type { Account, ConnectorDescriptor, Settings } from '../../types';

/** Which token request failed: the sign-in (code exchange) or a renewal (refresh). */
export type TokenGrant = 'authorization_code' | 'refresh_token';

/**
 * One kind of token-endpoint refusal, matched on what the target answered. Every given part must match;
 * an absent part matches anything.
 */
export interface TokenErrorRule {
  /** HTTP status of the answer. */
  status?: number;
  /** The OAuth `error` code(s). */
  error?: string | readonly string[];
  /** Tested against `error_description`. */
  description?: RegExp;
  /** Tested against one response header (Exact's `Reason: TooEarlyToRefreshTokens ...`). */
  header?: { name: string; value: RegExp };
  /** Only for this grant. */
  grant?: TokenGrant;
  /** What the refusal means, for the message shown to people ("the refresh token was already used"). */
  meaning?: string;
}

/** A refusal that only asks to wait: the grant stays valid. */
export interface RetryLaterRule extends TokenErrorRule {
  retryAfterMs: number;
}

/** The app's identity at the target; a missing secret means a public client (PKCE stands in for it). */
export interface OAuthClient {
  clientId: string;
  clientSecret?: string;
}

/**
 * Everything that differs between OAuth 2 authorization-code providers, as data. PKCE and scopes come
 * from the connector's descriptor (`descriptor.oauth`), which the setup workflow also reads.
 */
export interface OAuthProviderDeclaration {
  descriptor: ConnectorDescriptor;
  /** The target's name in messages ("Exact Online"). */
  name: string;
  /** Per country/site URLs come from the connection's settings (Exact's `site`). */
  authorizeUrl(settings: Settings): string;
  tokenUrl(settings: Settings): string;
  /** Our app's identity; throws a `misconfigured` ConnectorError naming the variables when unset. */
  client(): OAuthClient;
  /** How the secret travels to the token endpoint (RFC 6749 §2.3.1). */
  clientAuth: 'client_secret_post' | 'client_secret_basic';
  /** The environment variables an administrator checks when the target refuses our app. */
  clientVariables: string;
  /** Added to the authorization URL (Dropbox `token_access_type=offline`, Exact `force_login=0`). */
  extraAuthorizeParams?: Readonly<Record<string, string>>;
  /**
   * The scopes to ask for when they depend on the connection's settings (OneDrive asks for more to reach
   * a shared library). Default: `descriptor.oauth.scopes`.
   */
  scopes?(settings: Settings): readonly string[];
  /** Also send the `scope` on both token requests (Microsoft's identity platform wants it there). */
  scopeOnTokenRequests?: boolean;
  /** Added to both token requests. */
  extraTokenParams?: Readonly<Record<string, string>>;
  /**
   * `rotating`: every refresh answer carries a new refresh token and the old one dies (it must be
   * stored before use). `kept`: the refresh token stays valid and the answer may carry none.
   */
  rotation: 'rotating' | 'kept';
  /**
   * Refusals meaning "sign in again" (auth-expired on refresh, invalid-credentials at sign-in), checked
   * before the defaults. By default `invalid_grant` means this (RFC 6749 §5.2).
   */
  reauthErrors?: readonly TokenErrorRule[];
  /** Refusals meaning our app's configuration is wrong. By default `invalid_client`, `unauthorized_client`, ... */
  misconfiguredErrors?: readonly TokenErrorRule[];
  /** Refusals meaning "not now" (Exact refuses a refresh while the access token is young). */
  retryLaterErrors?: readonly RetryLaterRule[];
  /** Who signed in: connector code (an API call with the new access token). */
  account(input: { accessToken: string; settings: Settings }): Promise<Account>;
}
