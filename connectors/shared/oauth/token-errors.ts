import { ConnectorError, retryAfterMs } from '../../errors';
import type { OAuthProviderDeclaration, TokenErrorRule, TokenGrant } from './declaration';

/** What the token endpoint answered instead of tokens. */
export interface TokenRefusal {
  grant: TokenGrant;
  status: number;
  headers: Headers;
  /** The OAuth `error` code; absent when the body was not an OAuth error object. */
  error?: string;
  description?: string;
}

/** RFC 6749 §5.2: a grant (code or refresh token) that is invalid, expired, revoked or used. */
const defaultReauthErrors: readonly TokenErrorRule[] = [{ error: 'invalid_grant' }];
/** RFC 6749 §5.2: the request or our app is wrong, not the user's sign-in. */
const defaultMisconfiguredErrors: readonly TokenErrorRule[] = [
  {
    error: [
      'invalid_client',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'invalid_request',
    ],
  },
];

/** The longest piece of the target's description quoted in a message. */
const MAX_QUOTED_CHARS = 300;

function matches(rule: TokenErrorRule, refusal: TokenRefusal): boolean {
  if (rule.status !== undefined && rule.status !== refusal.status) return false;
  if (rule.grant !== undefined && rule.grant !== refusal.grant) return false;
  if (rule.error !== undefined) {
    const codes: readonly string[] = typeof rule.error === 'string' ? [rule.error] : rule.error;
    if (refusal.error === undefined || !codes.includes(refusal.error)) return false;
  }
  if (rule.description && !rule.description.test(refusal.description ?? '')) return false;
  if (rule.header && !rule.header.value.test(refusal.headers.get(rule.header.name) ?? '')) return false;
  return true;
}

function quoted(refusal: TokenRefusal): string {
  const code = refusal.error ?? `HTTP ${refusal.status}`;
  const description = refusal.description?.trim();
  if (!description) return code;
  const short =
    description.length > MAX_QUOTED_CHARS ? `${description.slice(0, MAX_QUOTED_CHARS)}…` : description;
  return `${code}: ${short}`;
}

/**
 * Classifies a refused token request once, for every provider: 429 and 5xx are transient; then the
 * provider's declared special cases (retry later, sign in again, misconfigured, in that order); then
 * the RFC 6749 defaults. Anything unrecognised at renewal means signing in again (the grant cannot be
 * used), at sign-in that the user signs in again.
 */
export function classifyTokenRefusal(
  provider: Pick<
    OAuthProviderDeclaration,
    'name' | 'clientVariables' | 'reauthErrors' | 'misconfiguredErrors' | 'retryLaterErrors'
  >,
  refusal: TokenRefusal,
): ConnectorError {
  const { name, clientVariables } = provider;
  const { status } = refusal;
  const wait = retryAfterMs(refusal.headers.get('retry-after'));
  if (status === 429) {
    return new ConnectorError('rate-limited', `${name} asked Relais to sign in less often.`, {
      status,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    });
  }
  if (status >= 500) {
    return new ConnectorError(
      'unavailable',
      `${name} could not handle the sign-in right now (HTTP ${status}). Relais will try again.`,
      { status, ...(wait === undefined ? {} : { retryAfterMs: wait }) },
    );
  }
  const later = provider.retryLaterErrors?.find((rule) => matches(rule, refusal));
  if (later) {
    return new ConnectorError(
      'rate-limited',
      `${name} refuses a new token for now (${later.meaning ?? quoted(refusal)}).`,
      { status, retryAfterMs: later.retryAfterMs },
    );
  }
  // Declared cases before the defaults; a provider's "sign in again" before its "misconfigured".
  const ordered: Array<[TokenErrorRule, 'reauth' | 'misconfigured']> = [
    ...(provider.reauthErrors ?? []).map((rule) => [rule, 'reauth'] as [TokenErrorRule, 'reauth']),
    ...(provider.misconfiguredErrors ?? []).map(
      (rule) => [rule, 'misconfigured'] as [TokenErrorRule, 'misconfigured'],
    ),
    ...defaultReauthErrors.map((rule) => [rule, 'reauth'] as [TokenErrorRule, 'reauth']),
    ...defaultMisconfiguredErrors.map((rule) => [rule, 'misconfigured'] as [TokenErrorRule, 'misconfigured']),
  ];
  const [rule, meaning] = ordered.find(([candidate]) => matches(candidate, refusal)) ?? [undefined, 'reauth'];
  if (meaning === 'misconfigured') {
    return new ConnectorError(
      'misconfigured',
      `${name} does not accept this Relais's app (${rule?.meaning ?? quoted(refusal)}). ` +
        `An administrator must check ${clientVariables}.`,
      { status },
    );
  }
  const why = rule?.meaning ? `: ${rule.meaning}` : '';
  if (refusal.grant === 'refresh_token') {
    return new ConnectorError(
      'auth-expired',
      `${name} refused to renew the sign-in (${quoted(refusal)})${why}. Sign in to ${name} again to reconnect.`,
      { status },
    );
  }
  return new ConnectorError(
    'invalid-credentials',
    `${name} refused the sign-in (${quoted(refusal)})${why}. Sign in again.`,
    { status },
  );
}
