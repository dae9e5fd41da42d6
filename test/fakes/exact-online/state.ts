import { randomBytes, randomUUID } from 'node:crypto';

/** An administration of the fake user. `hid` is the company code users see in Exact. */
export interface FakeDivision {
  code: number;
  description: string;
  vatNumber?: string;
  hid?: number;
}

export interface FakeAttachment {
  ID: string;
  FileName: string;
  content: Buffer;
}

export interface FakeDocument {
  ID: string;
  Subject: string;
  Type: number;
  DocumentDate?: Date;
  Created: Date;
  attachments: FakeAttachment[];
}

/** What the user shared on the consent screen: some divisions, or all current and future ones. */
export type SharedDivisions = number[] | 'all';

/** The one grant Exact keeps per app and user: a newer sign-in replaces it. */
export interface Grant {
  accessToken: string;
  accessExpiresAt: number;
  /** When the last token was handed out: Exact refuses a refresh sooner than 570 s after it. */
  lastTokenAt: number;
  refreshToken: string;
  /** When the current refresh token was handed out: unused for 30 days, it expires. */
  refreshIssuedAt: number;
  /** Refresh tokens of this grant already exchanged: reusing one answers 401 "Old refresh token used.". */
  spentRefreshTokens: Set<string>;
  shared: SharedDivisions;
}

/** The parameters of GET {site}/api/oauth2/auth. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  responseType: string;
  state: string | undefined;
}

export interface AuthorizationCode {
  redirectUri: string;
  issuedAt: number;
  shared: SharedDivisions;
  used: boolean;
}

export interface Failure {
  status: number;
  message: string;
  /** Only a request whose path contains this fails; any request when absent. */
  path?: string;
}

export interface QuotaWindow {
  start: number;
  used: number;
}

export interface LogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Fake-clock epoch milliseconds. */
  time: number;
  accept?: string;
  prefer?: string;
  status: number;
}

export interface FakeUser {
  userId: string;
  fullName: string;
  username: string;
  password: string;
  currentDivision: number;
}

export interface ExactFakeState {
  url: string;
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  user: FakeUser;
  divisions: FakeDivision[];
  pageSize: number;
  limits: { minutely: number; daily: number };
  clockOffsetMs: number;
  grant?: Grant;
  codes: Map<string, AuthorizationCode>;
  documents: Map<number, FakeDocument[]>;
  tokenCalls: number;
  /** How long the token endpoint takes to answer (0: at once). */
  tokenAnswerDelayMs: number;
  failures: Failure[];
  minuteQuota: Map<number, QuotaWindow>;
  dayQuota: Map<number, QuotaWindow>;
  /** Errors (400/403/404) per `division:endpoint` in the current clock hour. */
  errorCounts: Map<string, QuotaWindow>;
  /** Requests answered with the error block (the 11th+ error-prone request of the hour). */
  blockedCalls: number;
  log: LogEntry[];
}

export const ACCESS_TOKEN_LIFETIME_MS = 600_000;
export const REFRESH_NOT_BEFORE_MS = 570_000;
/** A refresh token not used for 30 days expires. */
export const REFRESH_TOKEN_IDLE_LIFETIME_MS = 30 * 24 * 3600_000;
export const CODE_LIFETIME_MS = 180_000;

export function now(state: ExactFakeState): number {
  return Date.now() + state.clockOffsetMs;
}

export function opaqueToken(): string {
  return randomBytes(24).toString('base64url');
}

export function newGuid(): string {
  return randomUUID();
}

/** Divisions the current grant may reach; 'all' includes those added after the sign-in. */
export function sharedDivisions(state: ExactFakeState, shared: SharedDivisions): FakeDivision[] {
  return state.divisions.filter((division) => shared === 'all' || shared.includes(division.code));
}

export function currentDivisionOf(state: ExactFakeState, shared: SharedDivisions): number | undefined {
  const reachable = sharedDivisions(state, shared);
  return (reachable.find((division) => division.code === state.user.currentDivision) ?? reachable[0])?.code;
}
